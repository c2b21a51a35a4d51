/**
 * Blocks and counters that cannot be undone by a race: a later IP block keeps the longer expiry and
 * the first reason, and a detection counter always has a TTL (one left without one would stop its
 * rule firing for that key for good).
 */
import { describe, expect, it } from 'vitest';
import { testEnv } from '../test-env';
import { randomIp } from '../auth/api';
import { createRedis } from '../../src/lib/storage/redis';
import { blockIp, blockedIpKey, listBlockedIps } from '../../src/lib/detection/ip-blocklist';
import { countBruteForceDetection } from '../../src/lib/detection/counters';
import { DEFAULT_SECURITY_CONFIG } from '../../src/lib/detection/security-config';

const redis = createRedis({ url: testEnv.UPSTASH_REDIS_REST_URL, token: testEnv.UPSTASH_REDIS_REST_TOKEN });

describe('IP blocks', () => {
  it('a later, shorter block keeps the first reason and the longer expiry', async () => {
    const ip = randomIp();
    const now = new Date();
    const first = await blockIp(redis, ip, 'brute_force', 3600, now);
    const shorter = await blockIp(redis, ip, 'bot_activity', 1800, now);
    expect(shorter).toEqual(first);
    expect((await listBlockedIps(redis, now)).find((b) => b.ip === ip)).toEqual({
      ip,
      reason: 'brute_force',
      until: first.until,
    });
    expect(await redis.pttl(blockedIpKey(ip))).toBeGreaterThan(3500 * 1000);
  });

  it('a later, longer block extends it and still keeps the first reason', async () => {
    const ip = randomIp();
    const now = new Date();
    await blockIp(redis, ip, 'bot_activity', 1800, now);
    const longer = await blockIp(redis, ip, 'brute_force', 7200, now);
    expect(longer).toEqual({ ip, reason: 'bot_activity', until: now.getTime() + 7200 * 1000 });
    expect(await redis.pttl(blockedIpKey(ip))).toBeGreaterThan(7100 * 1000);
  });
});

describe('detection counters', () => {
  it('give a counter its window TTL, even one an older version left without a TTL', async () => {
    const userId = crypto.randomUUID();
    const key = `auth:bf:${userId}`;
    await redis.set(key, 3); // as a SET NX EX + INCR race left it: a count, no expiry
    expect(await redis.ttl(key)).toBe(-1);
    expect(await countBruteForceDetection(redis, { userId, config: DEFAULT_SECURITY_CONFIG })).toBe(4);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(DEFAULT_SECURITY_CONFIG.accountLock.windowSeconds);
  });

  it('start a new key with its TTL in the same step as its first count', async () => {
    const userId = crypto.randomUUID();
    expect(await countBruteForceDetection(redis, { userId, config: DEFAULT_SECURITY_CONFIG })).toBe(1);
    expect(await redis.ttl(`auth:bf:${userId}`)).toBeGreaterThan(0);
  });
});
