/**
 * No input breaks storage or a queue (contract: Common rules, text fields). Control characters, NUL
 * and lone surrogates in every string field of otherwise valid requests, and in path segments, get a
 * 4xx with the contract's error shape and store nothing; an event Postgres refuses can never block
 * the outbox: the drain dead-letters it and carries on.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api, PASSWORD, randomIp, signUp, uniqueEmail } from '../auth/api';
import { testEnv } from '../test-env';
import { createRedis } from '../../src/lib/storage/redis';
import { DEAD_LETTER_KEY, OUTBOX_KEY } from '../../src/lib/events/event-log';
import worker from '../../src/functions/auth/index';
import { db, eventsFromIp, eventually } from '../support';

const redis = createRedis({ url: testEnv.UPSTASH_REDIS_REST_URL, token: testEnv.UPSTASH_REDIS_REST_TOKEN });

const HOSTILE = {
  nul: 'a\u0000b',
  control: 'a\u0001b',
  newline: 'a\nb',
  del: 'a\u007Fb',
  highSurrogate: 'a\uD800b',
  lowSurrogate: 'a\uDC00b',
};

async function userCount(email: string): Promise<number> {
  const rows = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from users where lower(email) = lower(${email})`,
  );
  return rows.rows[0]?.n ?? -1;
}

describe('hostile text in text fields', () => {
  for (const [kind, bad] of Object.entries(HOSTILE)) {
    it(`signup refuses ${kind} in name and deviceName with 400 naming the field, and stores no user`, async () => {
      for (const field of ['name', 'deviceName'] as const) {
        const email = uniqueEmail('hostile');
        const body = { email, password: PASSWORD, name: 'Ada', [field]: bad };
        const res = await api('/api/auth/signup', { body, ip: randomIp() });
        expect(res.status, `${field}`).toBe(400);
        expect(res.body).toMatchObject({
          error: 'VALIDATION_ERROR',
          message: expect.any(String),
          details: [{ field, problem: expect.stringContaining('control characters') }],
        });
        expect(await userCount(email)).toBe(0);
      }
    });

    it(`signup and login refuse ${kind} in the email with 400`, async () => {
      for (const path of ['/api/auth/signup', '/api/auth/login']) {
        const res = await api(path, {
          body: { email: `ad${bad}a@example.com`, password: PASSWORD, name: 'Ada' },
          ip: randomIp(),
        });
        expect(res.status, path).toBe(400);
        expect(res.body).toMatchObject({ error: 'VALIDATION_ERROR', details: [{ field: 'email' }] });
      }
    });

    it(`login, google, refresh and logout answer a 4xx for ${kind} in any field, never a 500`, async () => {
      const user = await signUp();
      const calls: [string, Record<string, string>][] = [
        ['/api/auth/login', { email: user.email, password: PASSWORD, deviceName: bad }],
        ['/api/auth/login', { email: user.email, password: bad }],
        ['/api/auth/google', { idToken: bad }],
        ['/api/auth/google', { idToken: 'x', deviceName: bad }],
        ['/api/auth/google', { idToken: 'x', nonce: bad }],
        ['/api/auth/refresh', { refreshToken: bad }],
        ['/api/auth/logout', { refreshToken: bad }],
      ];
      for (const [path, body] of calls) {
        const res = await api(path, { body, ip: randomIp() });
        // logout is idempotent: an unknown token is a 204 (contract).
        if (path === '/api/auth/logout') expect(res.status).toBe(204);
        else {
          expect([400, 401, 503], `${path} ${JSON.stringify(Object.keys(body))}`).toContain(res.status);
          expect(res.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
        }
      }
    });
  }
});

describe('hostile path segments', () => {
  it('a NUL or a lone surrogate in a Bearer route path answers 401 and its event is stored, not queued', async () => {
    const ip = randomIp();
    for (const segment of ['%00', '%ED%A0%80', '%01%7F', 'x'.repeat(3000)]) {
      const res = await exports.default.fetch(
        new Request(`http://auth.test/api/auth/sessions/${segment}`, {
          method: 'DELETE',
          headers: { authorization: 'Bearer not-a-token', 'cf-connecting-ip': ip },
        }),
      );
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'TOKEN_INVALID' });
    }
    const stored = await eventually(
      () => eventsFromIp(ip),
      (rows) => rows.length >= 1,
      5000,
    );
    expect(stored.length).toBeGreaterThanOrEqual(1);
    for (const row of stored) expect(JSON.stringify(row.metadata)).not.toMatch(/\\u0000|x{300}/);
    const queued = (await redis.lrange<unknown>(OUTBOX_KEY, 0, -1)).filter((entry) =>
      JSON.stringify(entry).includes(ip),
    );
    expect(queued).toHaveLength(0);
  });
});

describe('the outbox drain and a bad event', () => {
  it('dead-letters what Postgres refuses, stores the rest, and empties the outbox', async () => {
    const ip = randomIp();
    const at = new Date().toISOString();
    const event = (metadata: Record<string, unknown>) =>
      JSON.stringify({
        type: 'token_invalid',
        severity: 'warning',
        userId: null,
        tokenId: null,
        ip,
        userAgent: 'test',
        country: null,
        metadata,
        at,
      });
    const poison = event({ route: 'bad\u0000route' }); // Postgres refuses U+0000 in jsonb
    await redis.rpush(OUTBOX_KEY, event({ n: 1 }), poison, 'not json at all {', event({ n: 2 }));
    const deadBefore = await redis.llen(DEAD_LETTER_KEY);

    const controller = createScheduledController({ cron: '*/5 * * * *', scheduledTime: Date.now() });
    const ctx = createExecutionContext();
    await worker.scheduled!(controller, testEnv, ctx);
    await waitOnExecutionContext(ctx);

    const stored = await eventsFromIp(ip);
    expect(stored.map((r) => r.metadata.n).sort()).toEqual([1, 2]);
    const outbox = (await redis.lrange<unknown>(OUTBOX_KEY, 0, -1)).map((e) => JSON.stringify(e));
    expect(outbox.filter((e) => e.includes(ip) || e.includes('not json at all'))).toHaveLength(0);
    expect(await redis.llen(DEAD_LETTER_KEY)).toBe(deadBefore + 2);

    const health = await exports.default.fetch('http://auth.test/health');
    expect(
      ((await health.json()) as { eventQueue: { deadLetter: number } }).eventQueue.deadLetter,
    ).toBeGreaterThanOrEqual(2);
  });
});
