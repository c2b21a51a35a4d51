/**
 * The detection counters in Redis, each read and bumped in one pipelined round trip. Windows are
 * fixed from the first hit: one script (COUNT_IN_WINDOW) increments the key and gives it its expiry
 * atomically, so no key is ever left without a TTL (which would stop its rule firing for good).
 *
 * Keys (all expire by themselves):
 *   auth:bot:{route}:{ip}        requests of one IP to one route          TTL bot.windowSeconds
 *   auth:fail:{sha256(email)}:{ip} failed logins for one email from one IP TTL bruteForce.windowSeconds
 *   auth:fail-account:{sha256(email)} failed logins for one email, any IP  TTL distributedBruteForce.windowSeconds
 *   auth:fail-ip-accounts:{ip}   set of sha256(email) failing from one IP TTL credentialStuffing.windowSeconds
 *   auth:fail-ip-day:{ip}        failed logins from one IP, any email     TTL credentialStuffing.dailyWindowSeconds
 *   auth:bf:{userId}             brute-force detections against a user   TTL accountLock.windowSeconds
 *   auth:devices:{userId}        sorted set fingerprint -> last seen (ms) TTL multipleDevices.windowSeconds
 *   auth:last-login:{userId}     JSON LoginPlace of the last login        TTL 30 days
 */
import type { Redis } from '../storage/redis';
import type { SecurityConfig } from './security-config';
import { blockedIpKey, parseBlock, type IpBlock } from './ip-blocklist';
import type { AddressFailures, LoginPlace } from './rules';
import { sha256Hex } from '../sha256';

type Pipelined = Pick<Redis, 'pipeline'>;
type Counting = Pick<Redis, 'eval'>;

/**
 * INCR, and the window's expiry when the key is new, in one atomic step. A key found without a TTL
 * (left by an older, non-atomic version) gets one too: KEYS[1] the counter, ARGV[1] the window (s).
 */
export const COUNT_IN_WINDOW = `local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n`;

/**
 * SADD, and the window's expiry when the set is new, in one atomic step: KEYS[1] the set, ARGV[1] the
 * window (s), ARGV[2] the member. Returns {added (0|1), cardinality}: a rule fires on the member that
 * reaches its threshold, not on repeats of members already counted.
 */
export const ADD_DISTINCT_IN_WINDOW = `local added = redis.call('SADD', KEYS[1], ARGV[2])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return { added, redis.call('SCARD', KEYS[1]) }`;

const LAST_LOGIN_TTL_SECONDS = 30 * 86_400;

/**
 * A gated request's counters in one script: the address's block read, and its count toward the
 * route's bot rate taken (with the window's expiry, as COUNT_IN_WINDOW). One script rather than an
 * explicit pipeline, so it leaves in the same request as the rate limiter's (the client pipelines
 * the commands of one tick, and keeps reads and writes apart: a GET beside them would be a second
 * request). KEYS[1] the block, KEYS[2] the bot counter; ARGV[1] the bot window (s).
 */
export const GATE_COUNTERS = `local block = redis.call('GET', KEYS[1])
local n = redis.call('INCR', KEYS[2])
if n == 1 or redis.call('TTL', KEYS[2]) < 0 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
return { block, n }`;

export async function requestCounters(
  redis: Counting,
  r: { ip: string; route: string; config: SecurityConfig; now: Date },
): Promise<{ block: IpBlock | undefined; botCount: number }> {
  const [blockValue, botCount] = (await redis.eval(
    GATE_COUNTERS,
    [blockedIpKey(r.ip), botKey(r.route, r.ip)],
    [String(r.config.bot.windowSeconds)],
  )) as [unknown, number];
  return { block: parseBlock(r.ip, blockValue, r.now), botCount: Number(botCount ?? 0) };
}

const botKey = (route: string, ip: string) => `auth:bot:${route}:${ip}`;

/** One request toward bot detection, alone (a Bearer route's refusal, counted after its answer). */
export function countBotRequest(redis: Counting, r: { ip: string; route: string; config: SecurityConfig }) {
  return countInWindow(redis, botKey(r.route, r.ip), r.config.bot.windowSeconds);
}

/** One count in a fixed window that starts at the first hit: one atomic script, one round trip. */
async function countInWindow(redis: Pick<Redis, 'eval'>, key: string, windowSeconds: number): Promise<number> {
  return Number(await redis.eval(COUNT_IN_WINDOW, [key], [String(windowSeconds)]));
}

/** The email as it appears in a key: hashed, so no address sits in Redis or in a Redis error report. */
const emailKey = async (email: string) => (await sha256Hex(email)).slice(0, 32);

/** A failed login, counted in every budget it spends, in one pipelined round trip. */
export interface LoginFailureCounts extends AddressFailures {
  /** For this email from this address (the brute-force budget). */
  pairFailures: number;
  /** For this email from any address (the distributed brute-force budget). */
  accountFailures: number;
}

export async function countLoginFailure(
  redis: Pipelined,
  r: { email: string; ip: string; config: SecurityConfig },
): Promise<LoginFailureCounts> {
  const email = await emailKey(r.email);
  const c = r.config;
  const [pair, account, distinct, daily] = await redis
    .pipeline()
    .eval(COUNT_IN_WINDOW, [`auth:fail:${email}:${r.ip}`], [String(c.bruteForce.windowSeconds)])
    .eval(COUNT_IN_WINDOW, [`auth:fail-account:${email}`], [String(c.distributedBruteForce.windowSeconds)])
    .eval(
      ADD_DISTINCT_IN_WINDOW,
      [`auth:fail-ip-accounts:${r.ip}`],
      [String(c.credentialStuffing.windowSeconds), email],
    )
    .eval(COUNT_IN_WINDOW, [`auth:fail-ip-day:${r.ip}`], [String(c.credentialStuffing.dailyWindowSeconds)])
    .exec<[number, number, [number, number], number]>();
  return {
    pairFailures: Number(pair),
    accountFailures: Number(account),
    newAccount: Number(distinct[0]) === 1,
    distinctAccounts: Number(distinct[1]),
    dailyFailures: Number(daily),
  };
}

/** What a good login's risk needs from Redis, read-only, in one round trip (recordLogin swaps the place later). */
export async function readLoginRisk(
  redis: Pipelined,
  r: { email: string; ip: string; userId: string },
): Promise<{ accountFailures: number; addressAccounts: number; previousPlace: LoginPlace | null }> {
  const [account, accounts, previous] = await redis
    .pipeline()
    .get(`auth:fail-account:${await emailKey(r.email)}`)
    .scard(`auth:fail-ip-accounts:${r.ip}`)
    .get(`auth:last-login:${r.userId}`)
    .exec<[unknown, number, unknown]>();
  return {
    accountFailures: Number(account ?? 0),
    addressAccounts: Number(accounts ?? 0),
    previousPlace: parsePlace(previous),
  };
}

const parsePlace = (value: unknown): LoginPlace | null =>
  value ? ((typeof value === 'string' ? JSON.parse(value) : value) as LoginPlace) : null;

export function countBruteForceDetection(
  redis: Counting,
  r: { userId: string; config: SecurityConfig },
): Promise<number> {
  return countInWindow(redis, `auth:bf:${r.userId}`, r.config.accountLock.windowSeconds);
}

/** On a good login: take (and forget) the failures before it, note the device, swap in this login's place. */
export async function recordLogin(
  redis: Pipelined,
  r: {
    email: string;
    ip: string;
    userId: string;
    fingerprint: string;
    place: LoginPlace;
    config: SecurityConfig;
    now: Date;
  },
): Promise<{ distinctDevices: number; newDevice: boolean; previousPlace: LoginPlace | null; failuresBefore: number }> {
  const devicesKey = `auth:devices:${r.userId}`;
  const lastLoginKey = `auth:last-login:${r.userId}`;
  const windowMs = r.config.multipleDevices.windowSeconds * 1000;
  const [failuresBefore, added, , distinctDevices, , previous] = await redis
    .pipeline()
    .getdel(`auth:fail:${await emailKey(r.email)}:${r.ip}`)
    .zadd(devicesKey, { score: r.now.getTime(), member: r.fingerprint })
    .zremrangebyscore(devicesKey, 0, r.now.getTime() - windowMs)
    .zcard(devicesKey)
    .expire(devicesKey, r.config.multipleDevices.windowSeconds)
    .getset(lastLoginKey, JSON.stringify(r.place))
    .expire(lastLoginKey, LAST_LOGIN_TTL_SECONDS)
    .exec<[unknown, number, unknown, number, unknown, unknown, unknown]>();
  const previousPlace = parsePlace(previous);
  return { distinctDevices, newDevice: added === 1, previousPlace, failuresBefore: Number(failuresBefore ?? 0) };
}

export async function resetBruteForceDetections(redis: Pick<Redis, 'del'>, userId: string): Promise<void> {
  await redis.del(`auth:bf:${userId}`);
}
