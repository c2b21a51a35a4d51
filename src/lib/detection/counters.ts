/**
 * The detection counters in Redis, each read and bumped in one pipelined round trip. Windows are
 * fixed from the first hit (SET NX EX, then INCR): the count and its expiry live in one key.
 *
 * Keys (all expire by themselves):
 *   auth:bot:{route}:{ip}        requests of one IP to one route          TTL bot.windowSeconds
 *   auth:fail:{sha256(email)}:{ip} failed logins for one email from one IP TTL bruteForce.windowSeconds
 *   auth:bf:{userId}             brute-force detections against a user   TTL accountLock.windowSeconds
 *   auth:devices:{userId}        sorted set fingerprint -> last seen (ms) TTL multipleDevices.windowSeconds
 *   auth:last-login:{userId}     JSON LoginPlace of the last login        TTL 30 days
 *   auth:refreshes:{sessionId}   refreshes in one session                 TTL rapidRefresh.windowSeconds
 */
import type { Redis } from '../storage/redis';
import type { SecurityConfig } from './security-config';
import { blockedIpKey, parseBlock, type IpBlock } from '../ip-blocking/ip-blocklist';
import type { LoginPlace } from './rules';
import { sha256Hex } from '../crypto/sha256';

type Pipelined = Pick<Redis, 'pipeline'>;

const LAST_LOGIN_TTL_SECONDS = 30 * 86_400;

export async function requestCounters(redis: Pipelined, r: { ip: string; route: string; config: SecurityConfig; now: Date }): Promise<{ block: IpBlock | undefined; botCount: number }> {
  const botKey = `auth:bot:${r.route}:${r.ip}`;
  const [blockValue, , botCount] = await redis.pipeline()
    .get(blockedIpKey(r.ip))
    .set(botKey, 0, { nx: true, ex: r.config.bot.windowSeconds })
    .incr(botKey)
    .exec<[unknown, unknown, number]>();
  return { block: parseBlock(r.ip, blockValue, r.now), botCount };
}

/** One count in a fixed window that starts at the first hit: SET NX EX then INCR, one round trip. */
async function countInWindow(redis: Pipelined, key: string, windowSeconds: number): Promise<number> {
  const [, count] = await redis.pipeline()
    .set(key, 0, { nx: true, ex: windowSeconds })
    .incr(key)
    .exec<[unknown, number]>();
  return count;
}

/** The email as it appears in a key: hashed, so no address sits in Redis or in a Redis error report. */
const emailKey = async (email: string) => (await sha256Hex(email)).slice(0, 32);

export async function countFailedLogin(redis: Pipelined, r: { email: string; ip: string; config: SecurityConfig }): Promise<number> {
  return countInWindow(redis, `auth:fail:${await emailKey(r.email)}:${r.ip}`, r.config.bruteForce.windowSeconds);
}

export function countBruteForceDetection(redis: Pipelined, r: { userId: string; config: SecurityConfig }): Promise<number> {
  return countInWindow(redis, `auth:bf:${r.userId}`, r.config.accountLock.windowSeconds);
}

/** On a good login: take (and forget) the failures before it, note the device, swap in this login's place. */
export async function recordLogin(redis: Pipelined, r: {
  email: string; ip: string; userId: string; fingerprint: string; place: LoginPlace; config: SecurityConfig; now: Date;
}): Promise<{ distinctDevices: number; newDevice: boolean; previousPlace: LoginPlace | null; failuresBefore: number }> {
  const devicesKey = `auth:devices:${r.userId}`;
  const lastLoginKey = `auth:last-login:${r.userId}`;
  const windowMs = r.config.multipleDevices.windowSeconds * 1000;
  const [failuresBefore, added, , distinctDevices, , previous] = await redis.pipeline()
    .getdel(`auth:fail:${await emailKey(r.email)}:${r.ip}`)
    .zadd(devicesKey, { score: r.now.getTime(), member: r.fingerprint })
    .zremrangebyscore(devicesKey, 0, r.now.getTime() - windowMs)
    .zcard(devicesKey)
    .expire(devicesKey, r.config.multipleDevices.windowSeconds)
    .getset(lastLoginKey, JSON.stringify(r.place))
    .expire(lastLoginKey, LAST_LOGIN_TTL_SECONDS)
    .exec<[unknown, number, unknown, number, unknown, unknown, unknown]>();
  const previousPlace = previous ? ((typeof previous === 'string' ? JSON.parse(previous) : previous) as LoginPlace) : null;
  return { distinctDevices, newDevice: added === 1, previousPlace, failuresBefore: Number(failuresBefore ?? 0) };
}

export async function resetBruteForceDetections(redis: Pick<Redis, 'del'>, userId: string): Promise<void> {
  await redis.del(`auth:bf:${userId}`);
}

export function countRefresh(redis: Pipelined, r: { sessionId: string; config: SecurityConfig }): Promise<number> {
  return countInWindow(redis, `auth:refreshes:${r.sessionId}`, r.config.rapidRefresh.windowSeconds);
}
