import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createRedis } from '../../src/lib/storage/redis';
import { blockIp } from '../../src/lib/detection/ip-blocklist';
import { sessions, users } from '../../src/lib/storage/schema';
import { eq } from 'drizzle-orm';
import { db, signedIn, testEnv } from './admin-session';
import { eventsWhere, sleep, waitForEvents } from '../support';

const redis = createRedis({ url: testEnv.UPSTASH_REDIS_REST_URL, token: testEnv.UPSTASH_REDIS_REST_TOKEN });

async function call(path: string, token?: string, method = 'GET') {
  const res = await exports.default.fetch(
    new Request(`http://dashboard.test${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} }),
  );
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
}

const randomIp = () => `192.0.2.${Math.floor(Math.random() * 250) + 1}`;

describe('dashboard: blocked IPs', () => {
  it('answers 401 without a token and 403 for a non-admin', async () => {
    expect((await call('/api/auth/security/blocked-ips')).status).toBe(401);
    const user = await signedIn('user');
    const res = await call('/api/auth/security/blocked-ips', user.token);
    expect(res).toMatchObject({ status: 403, body: { error: 'FORBIDDEN' } });
  });

  it('lists a block an admin can see, with its reason and end, and lifts it', async () => {
    const admin = await signedIn('admin');
    const ip = randomIp();
    await blockIp(redis, ip, 'brute_force', 3600, new Date());
    const listed = await call('/api/auth/security/blocked-ips', admin.token);
    expect(listed.status).toBe(200);
    const entry = (listed.body.blockedIps as Array<{ ip: string; reason: string; until: string }>).find(
      (b) => b.ip === ip,
    );
    expect(entry?.reason).toBe('brute_force');
    expect(Date.parse(entry?.until ?? '') - Date.now()).toBeGreaterThan(3500_000);

    expect((await call(`/api/auth/security/blocked-ips/${ip}`, admin.token, 'DELETE')).status).toBe(204);
    expect(await redis.get(`auth:blocked-ip:${ip}`)).toBeNull();
    const after = await call('/api/auth/security/blocked-ips', admin.token);
    expect((after.body.blockedIps as Array<{ ip: string }>).some((b) => b.ip === ip)).toBe(false);
    expect((await call(`/api/auth/security/blocked-ips/${ip}`, admin.token, 'DELETE')).status).toBe(404);
  });

  it('lifts the block of an IPv6 /64 (its id carries a slash, URL-encoded)', async () => {
    const admin = await signedIn('admin');
    const net = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1::/64`;
    await blockIp(redis, net, 'bot_activity', 600, new Date());
    const listed = await call('/api/auth/security/blocked-ips', admin.token);
    expect((listed.body.blockedIps as Array<{ ip: string }>).some((b) => b.ip === net)).toBe(true);
    expect(
      (await call(`/api/auth/security/blocked-ips/${encodeURIComponent(net)}`, admin.token, 'DELETE')).status,
    ).toBe(204);
    expect(await redis.get(`auth:blocked-ip:${net}`)).toBeNull();
  });

  it('records an unblock as an admin_action event naming the admin; a refused one records nothing', async () => {
    const admin = await signedIn('admin');
    const ip = randomIp();
    await blockIp(redis, ip, 'brute_force', 3600, new Date());
    expect((await call(`/api/auth/security/blocked-ips/${ip}`, admin.token, 'DELETE')).status).toBe(204);
    const [event, ...more] = await waitForEvents(admin.userId, 'admin_action');
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      eventType: 'admin_action',
      severity: 'info',
      userId: admin.userId,
      metadata: { action: 'ip_unblock', adminId: admin.userId, target: ip },
    });

    expect((await call(`/api/auth/security/blocked-ips/${ip}`, admin.token, 'DELETE')).status).toBe(404);
    await sleep(500); // events are written after the response
    expect(await eventsWhere({ userId: admin.userId, type: 'admin_action' })).toHaveLength(1);
  });

  it('refuses an admin whose role was taken away, though the token still says admin', async () => {
    const admin = await signedIn('admin');
    await db.update(users).set({ role: 'user' }).where(eq(users.id, admin.userId));
    expect((await call('/api/auth/security/blocked-ips', admin.token)).status).toBe(403);
  });

  it('refuses the token of a revoked session', async () => {
    const admin = await signedIn('admin');
    await db.update(sessions).set({ revokedAt: new Date() }).where(eq(sessions.id, admin.sessionId));
    expect((await call('/api/auth/security/blocked-ips', admin.token)).body.error).toBe('TOKEN_REVOKED');
  });

  it('serves /health and an OpenAPI document', async () => {
    expect((await call('/health')).status).toBe(200);
    const doc = await call('/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths as object)).toContain('/api/auth/security/blocked-ips/{ip}');
  });
});
