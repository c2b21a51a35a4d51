// Conformance of the local Upstash bridge with @upstash/ratelimit: its Lua scripts start with
// `#!lua flags=allow-key-locking` (Upstash-only) and are run EVALSHA-first with hard-coded SHA1s,
// so this proves the bridge's shebang stripping and SHA mapping against the real library.
import { env } from 'cloudflare:test';
import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis';
import { describe, expect, it } from 'vitest';

const redis = new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });

// The redis is shared: every limiter gets its own prefix. The in-memory ephemeral cache is off so
// every decision, denials included, comes from the scripts running in redis.
function limiter(limiter: ConstructorParameters<typeof Ratelimit>[0]['limiter']): Ratelimit {
  return new Ratelimit({ redis, limiter, prefix: `conf:ratelimit:${crypto.randomUUID()}`, ephemeralCache: false });
}

async function limit(rl: Ratelimit, identifier: string) {
  const result = await rl.limit(identifier);
  await result.pending;
  // "timeout" would mean the library gave up on redis and failed open: never acceptable here.
  expect(result.reason).toBeUndefined();
  return result;
}

describe('slidingWindow', () => {
  it('allows 3 requests in 10 s, then denies the 4th', async () => {
    const rl = limiter(Ratelimit.slidingWindow(3, '10 s'));
    const start = Date.now();
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limit(rl, 'user-1'));
    expect(results.map((r) => r.success)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    for (const r of results) {
      expect(r.limit).toBe(3);
      expect(r.reset).toBeGreaterThan(start);
      expect(r.reset).toBeLessThanOrEqual(Date.now() + 10_000);
    }
  });

  it('counts identifiers independently', async () => {
    const rl = limiter(Ratelimit.slidingWindow(3, '10 s'));
    for (let i = 0; i < 3; i++) expect((await limit(rl, 'alice')).success).toBe(true);
    expect((await limit(rl, 'alice')).success).toBe(false);
    const bob = await limit(rl, 'bob');
    expect(bob.success).toBe(true);
    expect(bob.remaining).toBe(2);
  });

  it('reports remaining tokens and can reset them', async () => {
    const rl = limiter(Ratelimit.slidingWindow(3, '10 s'));
    await limit(rl, 'carol');
    await limit(rl, 'carol');
    expect((await rl.getRemaining('carol')).remaining).toBe(1);
    await rl.resetUsedTokens('carol');
    expect((await rl.getRemaining('carol')).remaining).toBe(3);
    expect((await limit(rl, 'carol')).remaining).toBe(2);
  });

  it('stays correct under concurrent requests', async () => {
    const rl = limiter(Ratelimit.slidingWindow(5, '10 s'));
    const results = await Promise.all(Array.from({ length: 12 }, () => limit(rl, 'burst')));
    expect(results.filter((r) => r.success)).toHaveLength(5);
  });
});

describe('other algorithms', () => {
  it('fixedWindow allows 2 then denies', async () => {
    const rl = limiter(Ratelimit.fixedWindow(2, '10 s'));
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await limit(rl, 'dave'));
    expect(results.map((r) => r.success)).toEqual([true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([1, 0, 0]);
  });

  it('tokenBucket allows the bucket size then denies', async () => {
    const rl = limiter(Ratelimit.tokenBucket(1, '10 s', 2));
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await limit(rl, 'erin'));
    expect(results.map((r) => r.success)).toEqual([true, true, false]);
    expect(results[2]?.reset).toBeGreaterThan(Date.now());
  });
});
