/**
 * Bearer routes are limited per session (issue 13): a valid token used hundreds of times a minute is a
 * bot whatever its address, refused 429 and recorded as bot_activity_detected, with no IP block; the
 * people behind one address using their own sessions are neither limited together nor taken for a bot.
 */
import { describe, expect, it } from 'vitest';
import { api, PASSWORD, randomIp, signUp, type Reply } from '../auth/api';
import { testEnv } from '../test-env';
import { createRedis } from '../../src/lib/storage/redis';
import { DEFAULT_SECURITY_CONFIG } from '../../src/lib/detection/security-config';
import { eventsFromIp, eventsOfUser, eventually, sleep } from '../support';

const redis = createRedis({ url: testEnv.UPSTASH_REDIS_REST_URL, token: testEnv.UPSTASH_REDIS_REST_TOKEN });
const { requests, windowSeconds } = DEFAULT_SECURITY_CONFIG.rateLimits.bearerSession;

describe('a per-session limit on the Bearer routes', () => {
  it(
    'refuses a session past 120 requests a minute, records a bot, and blocks no address',
    { timeout: 120_000 },
    async () => {
      const ip = randomIp();
      const bot = await signUp();
      const first = await api('/api/auth/me', { ip, token: bot.accessToken });
      expect(first.status).toBe(200);
      expect(first.headers.get('ratelimit-policy')).toBe(`${requests};w=${windowSeconds}`);
      // The sliding window weighs the previous window: a run across a boundary is refused a little later.
      let allowed = 1;
      let last: Reply = first;
      while (last.status !== 429 && allowed < 2 * requests) {
        last = await api(allowed % 2 ? '/api/auth/sessions' : '/api/auth/me', { ip, token: bot.accessToken });
        if (last.status !== 429) allowed += 1;
      }
      expect(allowed).toBeGreaterThanOrEqual(requests);
      expect(last.status).toBe(429);
      expect(last.body).toMatchObject({ error: 'RATE_LIMIT_EXCEEDED', retryAfter: expect.any(Number) });

      const rows = await eventually(
        () => eventsOfUser(bot.user.id),
        (found) => found.some((r) => r.eventType === 'bot_activity_detected'),
      );
      const detected = rows.filter((r) => r.eventType === 'bot_activity_detected');
      expect(detected.length).toBeGreaterThanOrEqual(1);
      expect(detected[0]?.metadata).toMatchObject({ reason: 'session_rate', limit: requests });

      // No block: someone else behind the address signs in, and uses a session of its own.
      expect(await redis.get(`auth:blocked-ip:${ip}`)).toBeNull();
      const colleague = await signUp();
      expect((await api('/api/auth/login', { body: { email: colleague.email, password: PASSWORD }, ip })).status).toBe(
        200,
      );
      expect((await api('/api/auth/me', { ip, token: colleague.accessToken })).status).toBe(200);
    },
  );

  it(
    '20 people behind one address making 200 calls a minute between them: none refused, no bot',
    { timeout: 120_000 },
    async () => {
      const ip = randomIp();
      const people = await Promise.all(Array.from({ length: 20 }, () => signUp()));
      for (let round = 0; round < 10; round += 1) {
        for (const person of people) {
          expect((await api('/api/auth/me', { ip, token: person.accessToken })).status).toBe(200);
        }
      }
      await sleep(300);
      const rows = await eventsFromIp(ip);
      expect(rows.filter((r) => r.eventType === 'bot_activity_detected')).toHaveLength(0);
      expect(rows.filter((r) => r.eventType === 'rate_limit_exceeded')).toHaveLength(0);
      expect(await redis.get(`auth:blocked-ip:${ip}`)).toBeNull();
    },
  );

  it("shows the address ceiling's limit headers on a refused token's 401, and the session's on a valid one", async () => {
    const ip = randomIp();
    const refused = await api('/api/auth/me', { ip, token: 'not-a-token' });
    expect(refused.status).toBe(401);
    const ceiling = DEFAULT_SECURITY_CONFIG.rateLimits.bearer;
    expect(refused.headers.get('ratelimit-policy')).toBe(`${ceiling.requests};w=${ceiling.windowSeconds}`);
    const user = await signUp();
    const valid = await api('/api/auth/me', { ip, token: user.accessToken });
    expect(valid.status).toBe(200);
    expect(valid.headers.get('ratelimit-policy')).toBe(`${requests};w=${windowSeconds}`);
  });
});
