/**
 * GET /api/auth/security/metrics: exact figures from events seeded at known instants. The stack is
 * shared by every test file, so the figures are read from a dashboard app built by the Worker's own
 * deps builder with a clock set in 2099: no other test writes events, sessions or blocks that far
 * ahead, and the seeded rows are removed afterwards. Alerts carry no time the figure depends on, so
 * openAlerts is checked by difference. The real Worker answers the access and validation cases.
 */
import { env, exports } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gt, inArray } from 'drizzle-orm';
import { createDashboardApp } from '../../src/functions/dashboard/app';
import { authServiceOf, buildDashboardDeps } from '../../src/functions/dashboard/deps';
import { dashboardEnvSchema, parseEnv } from '../../src/lib/config/env-schema';
import { createRedis } from '../../src/lib/storage/redis';
import { blockIp, unblockIp } from '../../src/lib/detection/ip-blocklist';
import { securityAlerts, securityEvents, sessions, users } from '../../src/lib/storage/schema';
import { db, signedIn, testEnv } from './admin-session';

const NOW = new Date('2099-06-15T10:37:12.345Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const before = (ms: number) => new Date(NOW.getTime() - ms);
const redis = createRedis({ url: testEnv.UPSTASH_REDIS_REST_URL, token: testEnv.UPSTASH_REDIS_REST_TOKEN });

interface SeriesPoint {
  bucket: string;
  successfulLogins: number;
  failedLogins: number;
  tokenRefreshes: number;
}
interface Metrics {
  window: string;
  activeSessions: number;
  activeUsers: number;
  successfulLogins: number;
  failedLogins: number;
  tokenRefreshes: number;
  rateLimitViolations: number;
  blockedIps: number;
  openAlerts: number;
  topEvents: Array<{ type: string; count: number }>;
  series: SeriesPoint[];
}

/** The dashboard as the Worker builds it, on a clock stopped at `now`. */
function dashboardAt(now: Date) {
  const app = createDashboardApp(
    buildDashboardDeps(
      parseEnv(dashboardEnvSchema, env),
      authServiceOf(env),
      () => undefined,
      () => now,
    ),
  );
  return async (path: string, token: string) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`http://dashboard.test${path}`, { headers: { authorization: `Bearer ${token}` } }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return { status: res.status, body: (await res.json()) as Metrics };
  };
}

/** The real Worker, on the real clock. */
async function call(path: string, token?: string) {
  const res = await exports.default.fetch(
    new Request(`http://dashboard.test${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }),
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const user = {
  a: crypto.randomUUID(),
  b: crypto.randomUUID(),
  c: crypto.randomUUID(),
  d: crypto.randomUUID(),
  e: crypto.randomUUID(),
  f: crypto.randomUUID(),
  g: crypto.randomUUID(),
  h: crypto.randomUUID(),
  i: crypto.randomUUID(),
};
const fold = (count: number) => ({ foldReason: 'POST /api/auth/login', count, route: 'POST /api/auth/login' });

/** [type, user, when, metadata]: each figure's members, the instants at its edges, and look-alikes it must leave out. */
const seeded: Array<[string, string | null, Date, Record<string, unknown>?]> = [
  ['login_success', user.a, before(10 * MIN)],
  ['login_success', user.a, before(10 * MIN)],
  ['token_generated', user.a, before(10 * MIN)], // repeats each sign-in: not a login
  ['token_generated', user.a, before(10 * MIN)],
  ['oauth_success', user.b, before(3 * HOUR)],
  ['signup_success', user.c, before(DAY)], // exactly at the 24h window's start: inside
  ['login_success', user.g, new Date(NOW.getTime() - DAY - 1)], // a millisecond before it: outside
  ['login_success', user.g, new Date(NOW.getTime() + 1000)], // after now: outside
  ['failed_login_attempt', user.f, before(20 * MIN)],
  ['failed_login_attempt', user.f, before(20 * MIN)], // f only failed: not an active user
  ['login_failed', null, before(5 * HOUR)],
  ['oauth_failed', null, before(5 * HOUR)],
  ['signup_failed', null, before(HOUR)], // a taken email: not a failed login
  ['token_refreshed', user.a, before(MIN)],
  ['token_refreshed', user.b, before(MIN)],
  ['token_refreshed', user.d, before(MIN)],
  ['token_refreshed', user.e, NOW], // exactly now: inside
  ['rate_limit_exceeded', null, before(30 * MIN), fold(8)], // a folded minute of 8
  ['rate_limit_exceeded', null, before(30 * MIN), fold(1)],
  ['rate_limit_exceeded', null, before(2 * HOUR), { route: 'POST /api/auth/signup' }],
  ['token_verification_failed', null, before(40 * MIN), fold(4)],
  ['login_success', user.h, before(6 * DAY)], // in 7d and 30d only (as is g's a millisecond before 24h)
  ['token_refreshed', user.i, before(29 * DAY)], // in 30d only
  ['token_refreshed', user.i, before(31 * DAY)], // in none
];

const cleanup: { alertIds: string[]; userIds: string[]; ips: string[] } = { alertIds: [], userIds: [], ips: [] };
let admin: Awaited<ReturnType<typeof signedIn>>;
let metricsAt: ReturnType<typeof dashboardAt>;

beforeAll(async () => {
  admin = await signedIn('admin', NOW); // its session is live at NOW: one of activeSessions
  cleanup.userIds.push(admin.userId);
  metricsAt = dashboardAt(NOW);
  await db.insert(securityEvents).values(
    seeded.map(([eventType, userId, createdAt, metadata]) => ({
      eventType,
      severity: 'info',
      userId,
      ipAddress: '192.0.2.77',
      metadata: metadata ?? {},
      createdAt,
    })),
  );
  const [owner] = await db
    .insert(users)
    .values({ email: `metrics-${crypto.randomUUID()}@example.com`, name: 'Sessions' })
    .returning();
  cleanup.userIds.push(owner!.id);
  const session = (idleExpiresAt: Date, revokedAt: Date | null = null) => ({
    userId: owner!.id,
    createdAt: before(DAY),
    lastUsedAt: before(HOUR),
    expiresAt: new Date(NOW.getTime() + DAY),
    idleExpiresAt,
    revokedAt,
  });
  await db.insert(sessions).values([
    session(new Date(NOW.getTime() + HOUR)),
    session(new Date(NOW.getTime() + HOUR)),
    session(new Date(NOW.getTime() + 1)), // live
    session(new Date(NOW.getTime() + HOUR), before(HOUR)), // revoked
    session(NOW),
    session(before(MIN)), // idle expiry reached: no longer live
  ]);
  cleanup.ips.push('192.0.2.201', '192.0.2.202', '192.0.2.203');
  await blockIp(redis, '192.0.2.201', 'brute_force', 3600, NOW);
  await blockIp(redis, '192.0.2.202', 'bot_activity', 60, NOW);
  await blockIp(redis, '192.0.2.203', 'brute_force', 3600, before(2 * HOUR)); // ended an hour before NOW
});

afterAll(async () => {
  await db.delete(securityEvents).where(gt(securityEvents.createdAt, new Date('2090-01-01T00:00:00Z')));
  if (cleanup.alertIds.length > 0) await db.delete(securityAlerts).where(inArray(securityAlerts.id, cleanup.alertIds));
  if (cleanup.userIds.length > 0) await db.delete(users).where(inArray(users.id, cleanup.userIds)); // their sessions go with them
  for (const ip of cleanup.ips) await unblockIp(redis, ip);
});

const nonZero = (series: SeriesPoint[]) =>
  series.filter((p) => p.successfulLogins + p.failedLogins + p.tokenRefreshes > 0);

describe('dashboard: metrics figures', () => {
  it('counts each figure over its own events in the last 24 hours, edges included', async () => {
    const res = await metricsAt('/api/auth/security/metrics?window=24h', admin.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      window: '24h',
      activeSessions: 4, // 3 seeded and the admin's own
      activeUsers: 5, // a, b, c, d, e
      successfulLogins: 4, // 2 login_success, 1 oauth_success, 1 signup_success
      failedLogins: 4, // 2 failed_login_attempt, 1 login_failed, 1 oauth_failed
      tokenRefreshes: 4,
      rateLimitViolations: 10, // 8 + 1 folded, 1 unfolded
      blockedIps: 2,
    });
    expect(res.body.topEvents).toEqual([
      { type: 'rate_limit_exceeded', count: 10 },
      { type: 'token_refreshed', count: 4 },
      { type: 'token_verification_failed', count: 4 },
      { type: 'failed_login_attempt', count: 2 },
      { type: 'login_success', count: 2 },
      { type: 'token_generated', count: 2 },
      { type: 'login_failed', count: 1 },
      { type: 'oauth_failed', count: 1 },
      { type: 'oauth_success', count: 1 },
      { type: 'signup_failed', count: 1 }, // the tenth: signup_success (1) is the eleventh by name
    ]);
  });

  it('puts each event in its 15-minute bucket and fills the other 92 with zeros', async () => {
    const { body } = await metricsAt('/api/auth/security/metrics?window=24h', admin.token);
    expect(body.series).toHaveLength(97);
    expect(body.series[0]!.bucket).toBe('2099-06-14T10:30:00.000Z');
    expect(body.series.at(-1)!.bucket).toBe('2099-06-15T10:30:00.000Z');
    expect(nonZero(body.series)).toEqual([
      { bucket: '2099-06-14T10:30:00.000Z', successfulLogins: 1, failedLogins: 0, tokenRefreshes: 0 },
      { bucket: '2099-06-15T05:30:00.000Z', successfulLogins: 0, failedLogins: 2, tokenRefreshes: 0 },
      { bucket: '2099-06-15T07:30:00.000Z', successfulLogins: 1, failedLogins: 0, tokenRefreshes: 0 },
      { bucket: '2099-06-15T10:15:00.000Z', successfulLogins: 2, failedLogins: 2, tokenRefreshes: 0 },
      { bucket: '2099-06-15T10:30:00.000Z', successfulLogins: 0, failedLogins: 0, tokenRefreshes: 4 },
    ]);
  });

  it('narrows every windowed figure to the last hour, in 1-minute buckets', async () => {
    const { body } = await metricsAt('/api/auth/security/metrics?window=1h', admin.token);
    expect(body).toMatchObject({
      window: '1h',
      activeSessions: 4,
      activeUsers: 4,
      successfulLogins: 2,
      failedLogins: 2,
      tokenRefreshes: 4,
      rateLimitViolations: 9,
      blockedIps: 2,
    });
    expect(body.series).toHaveLength(61);
    expect(body.series[0]!.bucket).toBe('2099-06-15T09:37:00.000Z');
    expect(nonZero(body.series)).toEqual([
      { bucket: '2099-06-15T10:17:00.000Z', successfulLogins: 0, failedLogins: 2, tokenRefreshes: 0 },
      { bucket: '2099-06-15T10:27:00.000Z', successfulLogins: 2, failedLogins: 0, tokenRefreshes: 0 },
      { bucket: '2099-06-15T10:36:00.000Z', successfulLogins: 0, failedLogins: 0, tokenRefreshes: 3 },
      { bucket: '2099-06-15T10:37:00.000Z', successfulLogins: 0, failedLogins: 0, tokenRefreshes: 1 },
    ]);
  });

  it('widens to 7 and 30 days, in 1-hour and 6-hour buckets', async () => {
    const week = (await metricsAt('/api/auth/security/metrics?window=7d', admin.token)).body;
    expect(week).toMatchObject({ successfulLogins: 6, tokenRefreshes: 4, activeUsers: 7 }); // and g, h
    expect(week.series).toHaveLength(169);
    expect(nonZero(week.series).map((p) => p.bucket)).toContain('2099-06-09T10:00:00.000Z');
    const month = (await metricsAt('/api/auth/security/metrics?window=30d', admin.token)).body;
    expect(month).toMatchObject({ window: '30d', successfulLogins: 6, tokenRefreshes: 5, activeUsers: 8 }); // and g, h, i
    expect(month.series).toHaveLength(121);
    expect(month.series[0]!.bucket).toBe('2099-05-16T06:00:00.000Z');
    expect(nonZero(month.series)[0]).toEqual({
      bucket: '2099-05-17T06:00:00.000Z',
      successfulLogins: 0,
      failedLogins: 0,
      tokenRefreshes: 1,
    });
  });

  it('sizes the buckets of each window as the contract says', async () => {
    const step: Record<string, number> = {};
    for (const window of ['1h', '2h', '12h', '24h', '25h', '7d', '8d', '30d']) {
      const { body } = await metricsAt(`/api/auth/security/metrics?window=${window}`, admin.token);
      const starts = body.series.map((p) => Date.parse(p.bucket));
      expect(new Set(starts.slice(1).map((at, i) => at - starts[i]!)).size, window).toBe(1);
      expect(
        starts.every((at) => at % (starts[1]! - starts[0]!) === 0),
        window,
      ).toBe(true);
      step[window] = (starts[1]! - starts[0]!) / MIN;
    }
    expect(step).toEqual({ '1h': 1, '2h': 15, '12h': 15, '24h': 15, '25h': 60, '7d': 60, '8d': 360, '30d': 360 });
  });

  it('adds up: the series sums to the totals', async () => {
    for (const window of ['1h', '24h', '7d', '30d']) {
      const { body } = await metricsAt(`/api/auth/security/metrics?window=${window}`, admin.token);
      const sum = (k: 'successfulLogins' | 'failedLogins' | 'tokenRefreshes') =>
        body.series.reduce((n, p) => n + p[k], 0);
      expect({ s: sum('successfulLogins'), f: sum('failedLogins'), r: sum('tokenRefreshes') }, window).toEqual({
        s: body.successfulLogins,
        f: body.failedLogins,
        r: body.tokenRefreshes,
      });
    }
  });

  it('counts open alerts only: not acknowledged, not resolved', async () => {
    const baseline = (await metricsAt('/api/auth/security/metrics?window=1h', admin.token)).body.openAlerts;
    const alert = (status: 'open' | 'acknowledged' | 'resolved') => ({
      type: 'brute_force_detected',
      severity: 'high' as const,
      subject: `192.0.2.${crypto.randomUUID()}`,
      count: 3,
      firstSeen: before(HOUR),
      lastSeen: before(MIN),
      status,
    });
    const rows = await db
      .insert(securityAlerts)
      .values([alert('open'), alert('open'), alert('acknowledged'), alert('resolved')])
      .returning();
    cleanup.alertIds.push(...rows.map((r) => r.id));
    expect((await metricsAt('/api/auth/security/metrics?window=1h', admin.token)).body.openAlerts).toBe(baseline + 2);
  });
});

describe('dashboard: metrics route', () => {
  it('answers 401 without a token and 403 for a non-admin', async () => {
    expect(await call('/api/auth/security/metrics')).toMatchObject({ status: 401, body: { error: 'UNAUTHORIZED' } });
    const member = await signedIn('user');
    expect(await call('/api/auth/security/metrics?window=1h', member.token)).toMatchObject({
      status: 403,
      body: { error: 'FORBIDDEN' },
    });
  });

  it('refuses a window outside 1h to 30d or not in an accepted form, in the contract error shape', async () => {
    const { token } = await signedIn('admin');
    for (const window of ['0h', '31d', '721h', '30m', '1w', '24', 'abc', '1H', '01h', '1.5h', '']) {
      const res = await call(`/api/auth/security/metrics?window=${encodeURIComponent(window)}`, token);
      expect(res, window).toMatchObject({
        status: 400,
        body: { error: 'VALIDATION_ERROR', message: expect.any(String) },
      });
      expect(res.body.details, window).toEqual([{ field: 'window', problem: expect.stringContaining('1h') }]);
    }
  });

  it('answers the last 24 hours by default, on the real clock', async () => {
    const { token } = await signedIn('admin');
    const res = await call('/api/auth/security/metrics', token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      window: '24h',
      activeSessions: expect.any(Number),
      blockedIps: expect.any(Number),
      openAlerts: expect.any(Number),
    });
    const series = res.body.series as SeriesPoint[];
    expect(series).toHaveLength(97);
    expect(Date.parse(series.at(-1)!.bucket)).toBeLessThanOrEqual(Date.now());
    expect(Date.now() - Date.parse(series.at(-1)!.bucket)).toBeLessThan(15 * MIN + 5000);
  });

  it('is in the OpenAPI document with every field described', async () => {
    const doc = (await call('/openapi.json')).body as {
      paths: Record<string, { get?: { parameters?: Array<{ name: string; description?: string }> } }>;
      components: {
        schemas: Record<string, { properties: Record<string, { description?: string }>; required?: string[] }>;
      };
    };
    const route = doc.paths['/api/auth/security/metrics']?.get;
    expect(route?.parameters?.find((p) => p.name === 'window')?.description).toContain('30d');
    const metrics = doc.components.schemas.SecurityMetrics!;
    expect(Object.keys(metrics.properties)).toEqual([
      'window',
      'activeSessions',
      'activeUsers',
      'successfulLogins',
      'failedLogins',
      'tokenRefreshes',
      'rateLimitViolations',
      'blockedIps',
      'openAlerts',
      'topEvents',
      'series',
    ]);
    for (const [field, schema] of Object.entries(metrics.properties)) expect(schema.description, field).toBeTruthy();
    expect(metrics.required).toHaveLength(11);
    for (const [field, schema] of Object.entries(doc.components.schemas.MetricsSeriesPoint!.properties))
      expect(schema.description, field).toBeTruthy();
  });
});
