/**
 * Alerts from detection to the receiver: folding (100 detections for one IP are one alert with count
 * 100), the lifecycle (acknowledge, resolve, resolving itself after its quiet period, a recurrence
 * opening a new alert), the alerts API, and delivery to the stack's stand-in receiver
 * (scripts/stack/fake-webhook.ts): signed JSON and Slack, retries after a 500 and a 429 with
 * Retry-After, one post per repeat interval, the resolved follow-up, and no secret in any payload.
 */
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { alertDeliveries, alertDeliveryAttempts, securityAlerts } from '../../src/lib/storage/schema';
import { raiseAlerts } from '../../src/lib/alerts/alert-store';
import { deliverNow, type DeliveryDeps } from '../../src/lib/alerts/alert-delivery';
import { signature } from '../../src/lib/alerts/alert-payload';
import type { AlertPolicy, WebhookSettings } from '../../src/lib/alerts/alert-policy';
import type { SecurityEvent } from '../../src/lib/events/event-types';
import { systemClock } from '../../src/lib/clock';
import { DELIVER_ALERTS, runJob, type ScheduledDeps } from '../../cron/run-scheduled';
import { noMonitor } from '../../cron/job-monitor';
import { createRedis } from '../../src/lib/storage/redis';
import { maintenanceConfigSchema } from '../../src/lib/maintenance/maintenance-config';
import { PASSWORD, randomIp, uniqueEmail } from '../auth/api';
import { eventsWhere, eventually } from '../support';
import { callDashboard, db, signedIn, testEnv } from './admin-session';

const control = (testEnv as unknown as { STACK_CONTROL_URL: string }).STACK_CONTROL_URL;
const SECRET = (testEnv as unknown as { ALERT_WEBHOOK_SECRET: string }).ALERT_WEBHOOK_SECRET;
const HOUR_MS = 3_600_000;

interface Post {
  receivedAt: number;
  headers: Record<string, string>;
  body: string;
}

const call = callDashboard;

const postsTo = async (hook: string): Promise<Post[]> =>
  ((await (await fetch(`${control}/webhook/${hook}/posts`)).json()) as { posts: Post[] }).posts;
const script = (hook: string, responses: Array<{ status: number; retryAfter?: string }>) =>
  fetch(`${control}/webhook/${hook}/script`, { method: 'PUT', body: JSON.stringify({ responses }) });
/** The posts the Workers' own receiver got about one alert (json format: the alert's id is in the body). */
const postsAbout = async (alertId: string) =>
  (await postsTo('alerts')).filter((p) => (JSON.parse(p.body) as { alert: { id: string } }).alert.id === alertId);

const policy: AlertPolicy = { minSeverity: 'high', repeatSeconds: 3600, autoResolveSeconds: 86_400, delivers: true };

function detection(ip: string, at: Date, type: SecurityEvent['type'] = 'brute_force_detected'): SecurityEvent {
  return {
    type,
    severity: 'high',
    userId: null,
    tokenId: null,
    ip,
    userAgent: null,
    country: null,
    metadata: {},
    at,
    alert: true,
  };
}

function deliveryTo(hook: string, format: WebhookSettings['format'] = 'json'): DeliveryDeps {
  return {
    db,
    clock: systemClock,
    report: () => undefined,
    fetch: (url, init) => fetch(url, init),
    webhook: {
      url: `${control}/webhook/${hook}`,
      format,
      secret: SECRET,
      dashboardUrl: 'https://dashboard.example.com',
    },
  };
}

const alertOfIp = async (ip: string) => db.select().from(securityAlerts).where(eq(securityAlerts.ip, ip));

/** Secrets a payload must never hold, whatever its format. */
function expectNoSecret(text: string, ...secrets: string[]) {
  for (const secret of [SECRET, PASSWORD, ...secrets]) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/@example\.com|eyJ[\w-]+\.[\w-]+|authorization|password/i);
}

describe('alerts: folding and lifecycle', () => {
  it('100 brute-force detections for one IP, raised at once, fold into one alert with count 100 and one post', async () => {
    const ip = randomIp();
    const now = new Date();
    await Promise.all(Array.from({ length: 100 }, () => raiseAlerts(db, [detection(ip, now)], policy, now)));
    const [alert, ...others] = await alertOfIp(ip);
    expect(others).toHaveLength(0);
    expect(alert).toMatchObject({ type: 'brute_force_detected', status: 'open', count: 100 });
    const deliveries = await db.select().from(alertDeliveries).where(eq(alertDeliveries.alertId, alert!.id));
    expect(deliveries.map((d) => d.event)).toEqual(['opened']);
  });

  it('lists alerts with their delivery, and an admin acknowledges then resolves one, each an admin_action', async () => {
    const admin = await signedIn('admin');
    const ip = randomIp();
    const now = new Date();
    await raiseAlerts(db, [detection(ip, now)], { ...policy, delivers: false }, now);
    const [row] = await alertOfIp(ip);

    const open = await call('/api/auth/security/alerts?status=open', admin.token);
    expect(open.status).toBe(200);
    const listed = (open.body.alerts as Array<Record<string, unknown>>).find((a) => a.id === row!.id);
    expect(listed).toMatchObject({
      ip,
      count: 1,
      status: 'open',
      severity: 'high',
      delivery: { status: 'none', attempts: 0 },
      firstSeen: now.toISOString(),
    });

    const acked = await call(`/api/auth/security/alerts/${row!.id}/ack`, admin.token, 'POST', { note: 'looking' });
    expect(acked.status).toBe(200);
    expect(acked.body.alert).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: admin.userId,
      ackNote: 'looking',
    });
    // Still live: a detection folds into the acknowledged alert.
    await raiseAlerts(db, [detection(ip, new Date())], { ...policy, delivers: false }, new Date());
    expect((await alertOfIp(ip)).map((a) => a.count)).toEqual([2]);
    const acknowledged = await call('/api/auth/security/alerts?status=acknowledged', admin.token);
    expect((acknowledged.body.alerts as Array<{ id: string }>).map((a) => a.id)).toContain(row!.id);

    const resolved = await call(`/api/auth/security/alerts/${row!.id}/resolve`, admin.token, 'POST');
    expect(resolved.status).toBe(200);
    expect(resolved.body.alert).toMatchObject({ status: 'resolved', resolvedBy: admin.userId });
    expect((await call(`/api/auth/security/alerts/${row!.id}/resolve`, admin.token, 'POST')).status).toBe(200);

    // A recurrence after the resolution opens a new alert.
    await raiseAlerts(db, [detection(ip, new Date())], { ...policy, delivers: false }, new Date());
    const rows = await alertOfIp(ip);
    expect(rows.map((a) => a.status).sort()).toEqual(['open', 'resolved']);

    const actions = await eventually(
      () => eventsWhere({ userId: admin.userId, type: 'admin_action' }),
      (found) => found.length >= 3,
    );
    expect(actions.map((e) => e.metadata.action).sort()).toEqual([
      'alert_acknowledge',
      'alert_resolve',
      'alert_resolve',
    ]);
    expect(actions.every((e) => e.metadata.adminId === admin.userId && e.metadata.target === row!.id)).toBe(true);
  });

  it('an alert quiet for its period resolves itself (the five-minute job), and is posted as resolved', async () => {
    const ip = randomIp();
    const then = new Date(Date.now() - 25 * HOUR_MS);
    const queued = await raiseAlerts(db, [detection(ip, then)], policy, then);
    await deliverNow(deliveryTo('alerts'), queued);
    const [row] = await alertOfIp(ip);
    expect(row).toMatchObject({ status: 'open', notifiedAt: then });

    const deps: ScheduledDeps = {
      db,
      clock: systemClock,
      report: () => undefined,
      // The job reads neither: it resolves alerts and posts (Postgres and the webhook only).
      redis: createRedis({ url: testEnv.UPSTASH_REDIS_REST_URL, token: testEnv.UPSTASH_REDIS_REST_TOKEN }),
      maintenance: maintenanceConfigSchema.parse({}),
      monitor: noMonitor,
      alerting: { policy, delivery: deliveryTo('alerts') },
    };
    const outcome = await runJob(deps, DELIVER_ALERTS, new Date());
    expect(outcome.status).toBe('succeeded');
    const [after] = await alertOfIp(ip);
    expect(after).toMatchObject({ status: 'resolved', resolvedBy: null });
    expect(after!.resolvedAt!.getTime()).toBe(then.getTime() + policy.autoResolveSeconds * 1000);
    const posts = await postsAbout(row!.id);
    expect(posts.map((p) => JSON.parse(p.body).event)).toEqual(['opened', 'resolved']);

    // A detection of the same IP now opens a new alert.
    await raiseAlerts(db, [detection(ip, new Date())], { ...policy, delivers: false }, new Date());
    expect((await alertOfIp(ip)).filter((a) => a.status === 'open')).toHaveLength(1);
  });

  it('answers 400 for a bad id or status, 404 for an unknown alert, 401 and 403 for non-admins', async () => {
    const admin = await signedIn('admin');
    const user = await signedIn('user');
    expect((await call('/api/auth/security/alerts?status=closed', admin.token)).body.error).toBe('VALIDATION_ERROR');
    expect((await call('/api/auth/security/alerts?limit=0', admin.token)).body.error).toBe('VALIDATION_ERROR');
    expect((await call('/api/auth/security/alerts/not-an-id/ack', admin.token, 'POST', {})).status).toBe(400);
    const unknown = crypto.randomUUID();
    expect((await call(`/api/auth/security/alerts/${unknown}/ack`, admin.token, 'POST', {})).body.error).toBe(
      'NOT_FOUND',
    );
    expect((await call(`/api/auth/security/alerts/${unknown}/resolve`, admin.token, 'POST')).status).toBe(404);
    expect(
      (await call(`/api/auth/security/alerts/${unknown}/ack`, admin.token, 'POST', { note: 'a\u0000b' })).status,
    ).toBe(400);
    expect((await call('/api/auth/security/alerts', user.token)).status).toBe(403);
    expect((await call('/api/auth/security/alerts', 'not-a-token')).status).toBe(401);
  });
});

describe('alerts: delivery to the webhook', () => {
  it('a brute force at the auth Worker is posted, signed, within seconds of the detecting request', async () => {
    const ip = randomIp();
    const email = uniqueEmail('victim');
    let detectedAt = 0;
    for (let i = 0; i < 5; i++) {
      detectedAt = Date.now();
      const res = await env.AUTH.fetch('https://edge-auth/api/auth/login', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'cf-connecting-ip': ip,
          'user-agent': 'Mozilla/5.0 Firefox/133.0',
        },
        body: JSON.stringify({ email, password: 'a wrong password here' }),
      });
      expect(res.status).toBe(401);
      await res.body?.cancel();
    }
    const [row] = await eventually(
      () => alertOfIp(ip),
      (rows) => rows.length === 1,
    );
    const [post] = await eventually(
      () => postsAbout(row!.id),
      (posts) => posts.length === 1,
      10_000,
    );
    // Measured, not asserted: docs/benchmarks.md has the figures (p95 target 5 s on the local stack).
    console.log(`[alert delivery] detecting request to the receiver: ${post!.receivedAt - detectedAt} ms`);
    const timestamp = post!.headers['x-timestamp']!;
    expect(post!.headers['x-signature']).toBe(await signature(SECRET, timestamp, post!.body));
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    const body = JSON.parse(post!.body) as { event: string; alert: Record<string, unknown>; sentAt: string };
    expect(body).toMatchObject({
      event: 'opened',
      alert: { id: row!.id, type: 'brute_force_detected', ip, severity: 'high', status: 'open' },
    });
    expectNoSecret(post!.body, email);
  });

  it('retries after a 500 and after a 429, no sooner than its Retry-After, and logs each attempt', async () => {
    const hook = `retry-${crypto.randomUUID()}`;
    await script(hook, [{ status: 500 }, { status: 429, retryAfter: '2' }]);
    const ip = randomIp();
    const now = new Date();
    const queued = await raiseAlerts(db, [detection(ip, now)], policy, now);
    await deliverNow(deliveryTo(hook), queued);
    const posts = await postsTo(hook);
    expect(posts).toHaveLength(3);
    expect(posts[1]!.receivedAt - posts[0]!.receivedAt).toBeGreaterThanOrEqual(900);
    expect(posts[2]!.receivedAt - posts[1]!.receivedAt).toBeGreaterThanOrEqual(1900);
    const [delivery] = await db.select().from(alertDeliveries).where(eq(alertDeliveries.id, queued[0]!));
    expect(delivery).toMatchObject({ status: 'sent', attempts: 3 });
    const attempts = await db
      .select()
      .from(alertDeliveryAttempts)
      .where(eq(alertDeliveryAttempts.deliveryId, queued[0]!))
      .orderBy(alertDeliveryAttempts.id);
    expect(attempts.map((a) => a.statusCode)).toEqual([500, 429, 200]);
    expect(attempts.every((a) => a.latencyMs >= 0)).toBe(true);
  });

  it('a refusal retrying cannot fix (404) fails the post at once, and the dashboard shows it', async () => {
    const admin = await signedIn('admin');
    const hook = `gone-${crypto.randomUUID()}`;
    await script(hook, [{ status: 404 }]);
    const ip = randomIp();
    const now = new Date();
    const queued = await raiseAlerts(db, [detection(ip, now)], policy, now);
    await deliverNow(deliveryTo(hook), queued);
    expect(await postsTo(hook)).toHaveLength(1);
    const [row] = await alertOfIp(ip);
    const listed = (await call('/api/auth/security/alerts?status=open&limit=200', admin.token)).body.alerts as Array<{
      id: string;
      delivery: unknown;
    }>;
    expect(listed.find((a) => a.id === row!.id)?.delivery).toEqual({ status: 'failed', attempts: 1 });
  });

  it('posts an alert once per repeat interval however many detections fold into it', async () => {
    const hook = `repeat-${crypto.randomUUID()}`;
    const ip = randomIp();
    // In the past, so the later detection (one interval on) is still not in the future.
    const start = new Date(Date.now() - 2 * HOUR_MS);
    for (let i = 0; i < 5; i++) {
      const at = new Date(start.getTime() + i * 60_000);
      await deliverNow(deliveryTo(hook), await raiseAlerts(db, [detection(ip, at)], policy, at));
    }
    expect(await postsTo(hook)).toHaveLength(1);
    const later = new Date(start.getTime() + policy.repeatSeconds * 1000 + 1000);
    await deliverNow(deliveryTo(hook), await raiseAlerts(db, [detection(ip, later)], policy, later));
    const posts = (await postsTo(hook)).map((p) => JSON.parse(p.body) as { alert: { count: number } });
    expect(posts.map((p) => p.alert.count)).toEqual([1, 6]);
  });

  it('an admin resolving a posted alert posts its resolution once', async () => {
    const admin = await signedIn('admin');
    const ip = randomIp();
    const now = new Date();
    await deliverNow(deliveryTo('alerts'), await raiseAlerts(db, [detection(ip, now)], policy, now));
    const [row] = await alertOfIp(ip);
    expect((await call(`/api/auth/security/alerts/${row!.id}/resolve`, admin.token, 'POST')).status).toBe(200);
    expect((await call(`/api/auth/security/alerts/${row!.id}/resolve`, admin.token, 'POST')).status).toBe(200);
    const posts = await eventually(
      () => postsAbout(row!.id),
      (found) => found.length >= 2,
      10_000,
    );
    expect(posts.map((p) => JSON.parse(p.body).event)).toEqual(['opened', 'resolved']);
    expect(JSON.parse(posts[1]!.body).alert).toMatchObject({ status: 'resolved', resolvedBy: admin.userId });
  });

  it('posts Slack messages with blocks, within Slack limits, carrying no secret', async () => {
    const hook = `slack-${crypto.randomUUID()}`;
    const ip = randomIp();
    const now = new Date();
    await deliverNow(deliveryTo(hook, 'slack'), await raiseAlerts(db, [detection(ip, now)], policy, now));
    const [post] = await postsTo(hook);
    expect(post!.headers['x-signature']).toBeUndefined();
    const message = JSON.parse(post!.body) as {
      text: string;
      blocks: Array<{ type: string; text?: { text: string }; fields?: Array<{ text: string }> }>;
    };
    expect(message.text).toContain('brute_force_detected');
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(message.blocks[0]).toMatchObject({ type: 'header' });
    const fields = message.blocks.find((b) => b.type === 'section')!.fields!.map((f) => f.text);
    expect(fields).toEqual(
      expect.arrayContaining([
        '*Rule*\nbrute_force_detected',
        `*Subject*\nIP ${ip}`,
        '*Count*\n1',
        `*First seen*\n${now.toISOString()}`,
      ]),
    );
    expect(post!.body).toContain('<https://dashboard.example.com|Open the dashboard>');
    for (const f of fields) expect(f.length).toBeLessThanOrEqual(3000);
    expectNoSecret(post!.body);
  });
});

describe('the dashboard API is rate-limited per admin', () => {
  it('refuses an admin past 600 requests a minute with 429 and Retry-After, and another admin goes on', async () => {
    const busy = await signedIn('admin');
    const other = await signedIn('admin');
    let allowed = 0;
    let last = await call('/api/auth/security/blocked-ips', busy.token);
    while (last.status === 200 && allowed < 1300) {
      allowed += 1;
      const batch = await Promise.all(
        Array.from({ length: 20 }, () => call('/api/auth/security/blocked-ips', busy.token)),
      );
      last = batch.find((r) => r.status !== 200) ?? batch[batch.length - 1]!;
      allowed += batch.filter((r) => r.status === 200).length - 1;
    }
    expect(last.status).toBe(429);
    expect(last.body).toMatchObject({ error: 'RATE_LIMIT_EXCEEDED', retryAfter: expect.any(Number) });
    const again = await exports.default.fetch(
      new Request('http://dashboard.test/api/auth/security/blocked-ips', {
        headers: { authorization: `Bearer ${busy.token}` },
      }),
    );
    expect(again.status).toBe(429);
    expect(again.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(again.headers.get('ratelimit-policy')).toBe('600;w=60');
    expect(allowed).toBeGreaterThanOrEqual(599);
    expect((await call('/api/auth/security/blocked-ips', other.token)).status).toBe(200);
  }, 120_000);
});

describe('the OpenAPI document', () => {
  it('lists the alert routes with their parameters, and every admin route answers 401, 403 and 429', async () => {
    const res = await exports.default.fetch(new Request('http://dashboard.test/openapi.json'));
    const doc = (await res.json()) as {
      paths: Record<
        string,
        Record<string, { parameters?: Array<{ name: string }>; responses: Record<string, unknown> }>
      >;
    };
    expect(doc.paths['/api/auth/security/alerts']?.get?.parameters?.map((p) => p.name).sort()).toEqual([
      'limit',
      'status',
    ]);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/auth/security/alerts/{id}/ack', '/api/auth/security/alerts/{id}/resolve']),
    );
    const operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({ route: `${method} ${path}`, op })),
      );
    expect(operations.length).toBeGreaterThanOrEqual(14);
    for (const { route, op } of operations)
      expect(Object.keys(op.responses), route).toEqual(expect.arrayContaining(['401', '403', '429']));
  });
});
