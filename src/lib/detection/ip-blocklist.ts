/**
 * Blocked client IPs, in Redis so every Worker instance sees a block at once.
 *
 * Keys: `auth:blocked-ip:{ip}` -> JSON {reason, until} (epoch ms), expiring when the block ends;
 *       `auth:blocked-ips`     -> sorted set of blocked IPs scored by `until`, for listing them
 *                                (entries past their score are pruned when listed).
 */
import type { Redis } from '../storage/redis';

export interface IpBlock {
  ip: string;
  reason: string;
  until: number;
}

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

export const secondsLeft = (block: IpBlock, now: Date): number =>
  Math.max(1, Math.ceil((block.until - now.getTime()) / 1000));

/**
 * Sets or extends a block in one atomic step: a block already in force keeps its first reason and
 * the later of the two ends (a second, shorter block never shortens one). Returns the JSON stored.
 * KEYS: block key, index; ARGV: reason, until (ms), ttl (ms), ip.
 */
// "until" is a Lua keyword: the local is `ends`, the JSON field stays "until".
export const BLOCK = `local ends = tonumber(ARGV[2])
local reason = ARGV[1]
local current = redis.call('GET', KEYS[1])
if current then
  local ok, block = pcall(cjson.decode, current)
  if ok and type(block) == 'table' and tonumber(block['until']) then
    if tonumber(block['until']) >= ends then return current end
    reason = block['reason'] or reason
  end
end
local value = cjson.encode({ reason = reason, ['until'] = ends })
redis.call('SET', KEYS[1], value, 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], ends, ARGV[4])
return value`;

/**
 * Stores a restriction of `ip` under `key` (JSON {reason, until}) and in the `index` sorted set, through
 * BLOCK: a second one keeps the first reason and the later end. Blocks and guards (address-guard.ts) both.
 */
export async function storeRestriction(
  redis: Pick<Redis, 'eval'>,
  keys: { key: string; index: string },
  ip: string,
  reason: string,
  seconds: number,
  now: Date,
): Promise<IpBlock> {
  const until = now.getTime() + seconds * 1000;
  const stored = await redis.eval(BLOCK, [keys.key, keys.index], [reason, String(until), String(seconds * 1000), ip]);
  return parseBlock(ip, stored, now) ?? { ip, reason, until };
}

export function blockIp(
  redis: Pick<Redis, 'eval'>,
  ip: string,
  reason: string,
  seconds: number,
  now: Date,
): Promise<IpBlock> {
  return storeRestriction(redis, { key: blockKey(ip), index: INDEX_KEY }, ip, reason, seconds, now);
}

export async function unblockIp(redis: Pick<Redis, 'pipeline'>, ip: string): Promise<boolean> {
  const [deleted] = await redis.pipeline().del(blockKey(ip)).zrem(INDEX_KEY, ip).exec<[number, number]>();
  return deleted === 1;
}

export async function listBlockedIps(redis: Pick<Redis, 'pipeline' | 'mget'>, now: Date): Promise<IpBlock[]> {
  const [, ips] = await redis
    .pipeline()
    .zremrangebyscore(INDEX_KEY, 0, now.getTime())
    .zrange(INDEX_KEY, 0, -1)
    .exec<[number, string[]]>();
  if (ips.length === 0) return [];
  const values = await redis.mget<unknown[]>(...ips.map(blockKey));
  return ips.flatMap((ip, i) => parseBlock(ip, values[i], now) ?? []);
}

/**
 * How many blocks are in force at `now`, read-only (the dashboard's `blockedIps`): the index entries
 * whose `until` is later. BLOCK writes an entry with its key in one script, unblockIp removes both, and
 * both end at `until` (the key by its TTL, the entry by its score), so this is the length of
 * listBlockedIps without its pruning or its MGET.
 */
export async function countBlockedIps(redis: Pick<Redis, 'zcount'>, now: Date): Promise<number> {
  return redis.zcount(INDEX_KEY, `(${now.getTime()}`, '+inf');
}
