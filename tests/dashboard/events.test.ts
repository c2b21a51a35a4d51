/**
 * GET /api/auth/security/events through the real dashboard Worker: each filter, newest first, keyset
 * paging that neither repeats nor skips an event while new ones arrive (ties on created_at included,
 * at Postgres's microseconds), and a cursor that is refused with a 400 when garbled, altered or reused
 * with other filters. Each test seeds events from an address of its own, so the shared stack's other
 * events never enter its pages.
 */
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { securityEvents } from '../../src/lib/storage/schema';
import { db, signedIn } from './admin-session';

interface Event {
  id: number;
  type: string;
  severity: string;
  userId: string | null;
  ip: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
}
interface Page {
  events: Event[];
  nextCursor: string | null;
}

async function call(path: string, token?: string) {
  const res = await exports.default.fetch(
    new Request(`http://dashboard.test${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }),
  );
  return {
    status: res.status,
    body: (await res.json()) as Page & { error?: string; details?: Array<{ field: string }> },
  };
}

const freshIp = () => `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;
const MIN = 60_000;

async function seed(ip: string, rows: Array<{ type: string; severity?: string; userId?: string | null; at: Date }>) {
  await db.insert(securityEvents).values(
    rows.map((r) => ({
      eventType: r.type,
      severity: r.severity ?? 'info',
      userId: r.userId ?? null,
      ipAddress: ip,
      metadata: { seeded: true },
      createdAt: r.at,
    })),
  );
}

/** Every page of `query`, following nextCursor; `between` runs after each page. */
async function allPages(
  query: string,
  token: string,
  between: () => Promise<void> = async () => undefined,
): Promise<Event[]> {
  const events: Event[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i++) {
    const { status, body } = await call(
      `/api/auth/security/events?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      token,
    );
    expect(status).toBe(200);
    events.push(...body.events);
    cursor = body.nextCursor;
    if (!cursor) return events;
    await between();
  }
  throw new Error('more than 50 pages');
}

describe('GET /api/auth/security/events', () => {
  it('needs an admin: 401 without a token, 403 for a user', async () => {
    expect((await call('/api/auth/security/events')).status).toBe(401);
    const user = await signedIn('user');
    const refused = await call('/api/auth/security/events', user.token);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('FORBIDDEN');
  });

  it('filters by type, severity, user, IP and time, newest first', async () => {
    const admin = await signedIn('admin');
    const ip = freshIp();
    const victim = crypto.randomUUID();
    const now = Date.now();
    await seed(ip, [
      { type: 'failed_login_attempt', severity: 'warning', userId: victim, at: new Date(now - 50 * MIN) },
      { type: 'failed_login_attempt', severity: 'warning', userId: victim, at: new Date(now - 40 * MIN) },
      { type: 'brute_force_detected', severity: 'high', userId: victim, at: new Date(now - 30 * MIN) },
      { type: 'ip_address_blocked', severity: 'high', at: new Date(now - 20 * MIN) },
      { type: 'login_success', userId: crypto.randomUUID(), at: new Date(now - 10 * MIN) },
    ]);
    const types = async (query: string) =>
      (await call(`/api/auth/security/events?ip=${ip}${query}`, admin.token)).body.events.map((e) => e.type);

    expect(await types('')).toEqual([
      'login_success',
      'ip_address_blocked',
      'brute_force_detected',
      'failed_login_attempt',
      'failed_login_attempt',
    ]);
    expect(await types('&type=failed_login_attempt')).toEqual(['failed_login_attempt', 'failed_login_attempt']);
    expect(await types('&severity=high')).toEqual(['ip_address_blocked', 'brute_force_detected']);
    expect(await types(`&userId=${victim}`)).toEqual([
      'brute_force_detected',
      'failed_login_attempt',
      'failed_login_attempt',
    ]);
    expect(await types(`&type=failed_login_attempt&userId=${victim}&severity=warning`)).toHaveLength(2);
    const from = new Date(now - 45 * MIN).toISOString();
    const to = new Date(now - 20 * MIN).toISOString();
    // Both ends inclusive: the block at exactly `to` is in.
    expect(await types(`&from=${from}&to=${to}`)).toEqual([
      'ip_address_blocked',
      'brute_force_detected',
      'failed_login_attempt',
    ]);
    // The user filter alone (no IP) finds the same three.
    const byUser = await call(`/api/auth/security/events?userId=${victim}`, admin.token);
    expect(byUser.body.events.map((e) => e.ip)).toEqual([ip, ip, ip]);
    expect(byUser.body.events[0]).toMatchObject({
      type: 'brute_force_detected',
      severity: 'high',
      userId: victim,
      metadata: { seeded: true },
    });
    expect(byUser.body.nextCursor).toBeNull();
  });

  it('pages by cursor with no duplicate and no gap while new events arrive, ties on created_at included', async () => {
    const admin = await signedIn('admin');
    const ip = freshIp();
    const base = Date.now() - 5 * MIN;
    await seed(
      ip,
      Array.from({ length: 7 }, (_, i) => ({ type: 'token_refreshed', at: new Date(base + i * 1000) })),
    );
    // Five events at one instant with microseconds, which a millisecond cursor would mangle.
    await db.execute(sql`insert into security_events (event_type, severity, ip_address, metadata, created_at)
      select 'token_invalid', 'warning', ${ip}, '{}'::jsonb, timestamptz '2026-11-30 12:00:00.123456+00' from generate_series(1, 5)`);
    const expected = (await call(`/api/auth/security/events?ip=${ip}&limit=200`, admin.token)).body.events.map(
      (e) => e.id,
    );
    expect(expected).toHaveLength(12);

    let arrivals = 0;
    const paged = await allPages(`ip=${ip}&limit=2`, admin.token, async () => {
      // Newer events, and one from just before the page boundary's time, land between pages.
      arrivals += 1;
      await seed(ip, [{ type: 'login_success', at: new Date() }]);
    });
    expect(arrivals).toBe(5);
    const ids = paged.map((e) => e.id);
    expect(ids).toEqual(expected);
    expect(new Set(ids).size).toBe(ids.length);
    // The events that arrived meanwhile are on the first page of a new listing.
    expect((await call(`/api/auth/security/events?ip=${ip}&limit=200`, admin.token)).body.events).toHaveLength(
      12 + arrivals,
    );
  });

  it('refuses a garbled, altered, oversized or mismatched cursor with a 400, never a 500', async () => {
    const admin = await signedIn('admin');
    const ip = freshIp();
    await seed(
      ip,
      [0, 1, 2].map((i) => ({ type: 'logout', at: new Date(Date.now() - i * 1000) })),
    );
    const first = await call(`/api/auth/security/events?ip=${ip}&limit=1`, admin.token);
    const cursor = first.body.nextCursor!;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const [body, mac] = cursor.split('.') as [string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const forged = btoa(JSON.stringify(['2030-01-01T00:00:00.000000Z', 1])).replace(/=+$/, '');
    const bad = [
      'garbage',
      `${body}.`,
      `.${mac}`,
      `${body}.${mac}.x`,
      `${flip(body, 3)}.${mac}`,
      `${body}.${flip(mac, 5)}`,
      `${forged}.${mac}`,
      'x'.repeat(513),
      `${body}.${mac}`.replace(/./, '!'),
    ].map(encodeURIComponent);
    // Already escaped: NUL and a control character, a lone surrogate's UTF-8 form, a cursor cut in a %-escape.
    bad.push('%00%01', '%ED%A0%80', `${body}%2`);
    for (const c of bad) {
      const res = await call(`/api/auth/security/events?ip=${ip}&limit=1&cursor=${c}`, admin.token);
      expect(res.status, c.slice(0, 40)).toBe(400);
      expect(res.body.error).toBe('VALIDATION_ERROR');
      expect(res.body.details?.[0]?.field).toBe('cursor');
    }
    // A good cursor with other filters (another IP, a type added) is refused too.
    expect(
      (
        await call(
          `/api/auth/security/events?ip=${freshIp()}&limit=1&cursor=${encodeURIComponent(cursor)}`,
          admin.token,
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await call(
          `/api/auth/security/events?ip=${ip}&type=logout&limit=1&cursor=${encodeURIComponent(cursor)}`,
          admin.token,
        )
      ).status,
    ).toBe(400);
    // The limit may change between pages.
    const rest = await call(
      `/api/auth/security/events?ip=${ip}&limit=5&cursor=${encodeURIComponent(cursor)}`,
      admin.token,
    );
    expect(rest.status).toBe(200);
    expect(rest.body.events).toHaveLength(2);
  });

  it('documents the investigation routes in the OpenAPI document', async () => {
    const res = await exports.default.fetch(new Request('http://dashboard.test/openapi.json'));
    const doc = (await res.json()) as {
      paths: Record<string, Record<string, { parameters?: Array<{ name: string }> }>>;
    };
    expect(doc.paths['/api/auth/security/events']?.get?.parameters?.map((p) => p.name).sort()).toEqual([
      'cursor',
      'from',
      'ip',
      'limit',
      'severity',
      'to',
      'type',
      'userId',
    ]);
    expect(doc.paths['/api/auth/security/sessions']?.get?.parameters?.map((p) => p.name).sort()).toEqual([
      'country',
      'cursor',
      'limit',
      'userId',
    ]);
    for (const path of [
      '/api/auth/security/users',
      '/api/auth/security/users/{id}',
      '/api/auth/security/users/{id}/revoke-sessions',
      '/api/auth/security/users/{id}/lock',
      '/api/auth/security/users/{id}/unlock',
    ]) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
  });

  it('answers 400 naming the field for every bad filter', async () => {
    const admin = await signedIn('admin');
    const cases: Array<[string, string]> = [
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1.5', 'limit'],
      ['type=no_such_type', 'type'],
      ['severity=urgent', 'severity'],
      ['userId=not-a-uuid', 'userId'],
      ['from=yesterday', 'from'],
      ['to=2026-13-01T00:00:00Z', 'to'],
      ['from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'from'],
      ['ip=1.2.3.4%00', 'ip'],
      ['ip=%01', 'ip'],
      ['ip=not an ip', 'ip'],
      [`ip=${'1'.repeat(46)}`, 'ip'],
      ['ip=%ED%A0%80', 'ip'],
    ];
    for (const [query, field] of cases) {
      const res = await call(`/api/auth/security/events?${query}`, admin.token);
      expect(res.status, query).toBe(400);
      expect(res.body.error, query).toBe('VALIDATION_ERROR');
      expect(
        res.body.details?.map((d) => d.field),
        query,
      ).toContain(field);
    }
  });
});
