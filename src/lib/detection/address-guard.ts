/**
 * Guarded addresses: where credential stuffing was seen. Not a block: a password login from a guarded
 * address still succeeds on a device the account already knows (an earlier session's fingerprint), so
 * the office or campus behind a stuffer's NAT keeps signing in; any other password login from it is
 * refused 429 IP_BLOCKED whatever the password, so the list being tested learns nothing. Signup,
 * Google sign-in and sessions are not affected.
 *
 * Keys: `auth:guarded-ip:{ip}` -> JSON {reason, until} (epoch ms), expiring when the guard ends;
 *       `auth:guarded-ips`     -> sorted set of guarded IPs scored by `until`.
 * Set by the same script as a block (ip-blocklist.ts): a second guard keeps the first reason and the later end.
 */
import type { Redis } from '../storage/redis';
import { parseBlock, storeRestriction, type IpBlock } from './ip-blocklist';

const guardKey = (ip: string) => `auth:guarded-ip:${ip}`;
const INDEX_KEY = 'auth:guarded-ips';

export function guardAddress(
  redis: Pick<Redis, 'eval'>,
  ip: string,
  reason: string,
  seconds: number,
  now: Date,
): Promise<IpBlock> {
  return storeRestriction(redis, { key: guardKey(ip), index: INDEX_KEY }, ip, reason, seconds, now);
}

/** The guard in force on an address at `now`, if any (`ip` is already its bucket, see ip-bucket.ts). */
export async function addressGuard(redis: Pick<Redis, 'get'>, ip: string, now: Date): Promise<IpBlock | undefined> {
  return parseBlock(ip, await redis.get(guardKey(ip)), now);
}
