/**
 * Per-IP, per-route rate limits at their defaults (contract: Rate limits, Common rules): the first N
 * requests pass with RateLimit-* headers counting down, request N+1 is 429 RATE_LIMIT_EXCEEDED with
 * Retry-After, an event is recorded, another IP is unaffected, and the refused request does no work.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api, PASSWORD, randomIp, uniqueEmail, type Reply } from '../auth/api';
import { securityEvents, users } from '../../src/lib/storage/schema';
import { db, eventsFromIp, eventually, expectRateLimitExceeded, sleep } from '../support';

/**
 * The Redis limiter's sliding window weighs the previous fixed 60 s window; a burst that straddles a
 * window edge would not count down one by one. Start bursts well inside a window.
 */
async function awayFromWindowEdge(): Promise<void> {
  const intoWindow = Date.now() % 60_000;
  if (intoWindow > 45_000) await sleep(60_000 - intoWindow + 250);
}

interface LimitedRouteCase {
  name: string;
  path: string;
  limit: number;
  /** A cheap request that passes the gate; `i` numbers it so bodies can differ (e.g. new emails). */
  body: (i: number) => unknown;
  /** What the route answers while under its limit. */
  okStatus: number;
}

const badPassword = 'definitely not the password';

const ROUTES: LimitedRouteCase[] = [
  // A new unknown email each time: 5 failures for one email would trip the brute-force block instead.
  {
    name: 'login',
    path: '/api/auth/login',
    limit: 5,
    body: () => ({ email: uniqueEmail('rl-login'), password: badPassword }),
    okStatus: 401,
  },
  {
    name: 'signup',
    path: '/api/auth/signup',
    limit: 3,
    body: () => ({ email: uniqueEmail('rl-signup'), password: PASSWORD, name: 'Rate Limited' }),
    okStatus: 201,
  },
  {
    name: 'refresh',
    path: '/api/auth/refresh',
    limit: 10,
    body: () => ({ refreshToken: 'malformed-refresh-token' }),
    okStatus: 401,
  },
  {
    name: 'google',
    path: '/api/auth/google',
    limit: 5,
    body: () => ({ idToken: 'not-a-google-id-token' }),
    okStatus: 401,
  },
  {
    name: 'logout',
    path: '/api/auth/logout',
    limit: 20,
    body: () => ({ refreshToken: 'malformed-refresh-token' }),
    okStatus: 204,
  },
];

function expectLimitHeaders(res: Reply, limit: number, remaining: number): void {
  expect(res.headers.get('ratelimit-limit')).toBe(String(limit));
  expect(res.headers.get('ratelimit-remaining')).toBe(String(remaining));
  const reset = Number(res.headers.get('ratelimit-reset'));
  expect(Number.isInteger(reset)).toBe(true);
  expect(reset).toBeGreaterThanOrEqual(1);
  expect(reset).toBeLessThanOrEqual(60);
  expect(res.headers.get('ratelimit-policy')).toBe(`${limit};w=60`);
}

describe.each(ROUTES)('rate limit on $path ($limit/min per IP)', (route) => {
  it(
    `passes ${route.limit} requests counting down, refuses the next with 429 RATE_LIMIT_EXCEEDED`,
    { timeout: 60_000 },
    async () => {
      await awayFromWindowEdge();
      const ip = randomIp();
      for (let i = 0; i < route.limit; i += 1) {
        const res = await api(route.path, { body: route.body(i), ip });
        expect(res.status, `request ${i + 1} of ${route.limit}: ${JSON.stringify(res.body)}`).toBe(route.okStatus);
        expectLimitHeaders(res, route.limit, route.limit - 1 - i);
      }

      const over = await api(route.path, { body: route.body(route.limit), ip });
      expect(over.status).toBe(429);
      expectRateLimitExceeded(over);
      expectLimitHeaders(over, route.limit, 0);

      const rows = await eventually(
        () => eventsFromIp(ip),
        (found) => found.some((r) => r.eventType === 'rate_limit_exceeded'),
      );
      const limited = rows.filter((r) => r.eventType === 'rate_limit_exceeded');
      expect(limited).toHaveLength(1);
      expect(limited[0]?.metadata).toMatchObject({ route: `POST ${route.path}`, limit: route.limit });

      // Another address has its own window.
      const other = await api(route.path, { body: route.body(route.limit + 1), ip: randomIp() });
      expect(other.status).toBe(route.okStatus);
      expectLimitHeaders(other, route.limit, route.limit - 1);
    },
  );
});

describe("a rate-limited request does none of the route's work", () => {
  it('stores no user for a 4th signup within the minute', async () => {
    await awayFromWindowEdge();
    const ip = randomIp();
    const emails = [0, 1, 2, 3].map(() => uniqueEmail('rl-work'));
    for (const email of emails.slice(0, 3)) {
      expect((await api('/api/auth/signup', { body: { email, password: PASSWORD, name: 'Worker' }, ip })).status).toBe(
        201,
      );
    }
    const fourth = await api('/api/auth/signup', {
      body: { email: emails[3], password: PASSWORD, name: 'Worker' },
      ip,
    });
    expect(fourth.status).toBe(429);
    expect(fourth.body).toMatchObject({ error: 'RATE_LIMIT_EXCEEDED' });

    const stored = await db.select({ email: users.email }).from(users).where(inArray(users.email, emails));
    expect(stored.map((r) => r.email).sort()).toEqual(emails.slice(0, 3).sort());
    const rows = await eventually(
      () => eventsFromIp(ip),
      (found) => found.some((r) => r.eventType === 'rate_limit_exceeded'),
    );
    expect(rows.filter((r) => r.eventType === 'signup_success')).toHaveLength(3);
  });

  it('does not check credentials for a 6th login within the minute (no login event beyond the 5th)', async () => {
    await awayFromWindowEdge();
    const ip = randomIp();
    for (let i = 0; i < 5; i += 1) {
      expect(
        (await api('/api/auth/login', { body: { email: uniqueEmail('rl-nowork'), password: badPassword }, ip })).status,
      ).toBe(401);
    }
    const sixth = await api('/api/auth/login', {
      body: { email: uniqueEmail('rl-nowork'), password: badPassword },
      ip,
    });
    expect(sixth.status).toBe(429);
    const rows = await eventually(
      () => eventsFromIp(ip),
      (found) => found.some((r) => r.eventType === 'rate_limit_exceeded'),
    );
    await sleep(300); // any stray login event of the 6th request would be in the same batch; be generous
    const after = await db
      .select()
      .from(securityEvents)
      .where(and(eq(securityEvents.ipAddress, ip), eq(securityEvents.eventType, 'login_failed')));
    expect(after).toHaveLength(5);
    expect(rows.filter((r) => r.eventType === 'rate_limit_exceeded')).toHaveLength(1);
  });
});
