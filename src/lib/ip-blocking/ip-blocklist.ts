/**
 * Blocked client IPs, in Redis so every Worker instance sees a block at once.
 *
 * Keys: `auth:blocked-ip:{ip}` -> JSON {reason, until} (epoch ms), expiring when the block ends;
 *       `auth:blocked-ips`     -> sorted set of blocked IPs scored by `until`, for listing them
 *                                (entries past their score are pruned when listed).
 */
import type { Redis } from '../storage/redis';

export interface IpBlock { ip: string; reason: string; until: number }

const blockKey = (ip: string) => `auth:blocked-ip:${ip}`;
const INDEX_KEY = 'auth:blocked-ips';

export const blockedIpKey = blockKey;

/** Parses the value of `auth:blocked-ip:{ip}` (what a pipelined GET returned). */
export function parseBlock(ip: string, value: unknown, now: Date): IpBlock | undefined {
  if (!value) return undefined;
  const raw = (typeof value === 'string' ? JSON.parse(value) : value) as { reason?: string; until?: number };
  if (typeof raw.until !== 'number' || raw.until <= now.getTime()) return undefined;
  return { ip, reason: raw.reason ?? 'blocked', until: raw.until };
}

export const secondsLeft = (block: IpBlock, now: Date): number => Math.max(1, Math.ceil((block.until - now.getTime()) / 1000));

export async function blockIp(redis: Pick<Redis, 'pipeline'>, ip: string, reason: string, seconds: number, now: Date): Promise<IpBlock> {
  const until = now.getTime() + seconds * 1000;
  await redis.pipeline()
    .set(blockKey(ip), JSON.stringify({ reason, until }), { px: seconds * 1000 })
    .zadd(INDEX_KEY, { score: until, member: ip })
    .exec();
  return { ip, reason, until };
}

export async function unblockIp(redis: Pick<Redis, 'pipeline'>, ip: string): Promise<boolean> {
  const [deleted] = await redis.pipeline().del(blockKey(ip)).zrem(INDEX_KEY, ip).exec<[number, number]>();
  return deleted === 1;
}

export async function listBlockedIps(redis: Pick<Redis, 'pipeline' | 'mget'>, now: Date): Promise<IpBlock[]> {
  const [, ips] = await redis.pipeline()
    .zremrangebyscore(INDEX_KEY, 0, now.getTime())
    .zrange(INDEX_KEY, 0, -1)
    .exec<[number, string[]]>();
  if (ips.length === 0) return [];
  const values = await redis.mget<unknown[]>(...ips.map(blockKey));
  return ips.flatMap((ip, i) => parseBlock(ip, values[i], now) ?? []);
}
