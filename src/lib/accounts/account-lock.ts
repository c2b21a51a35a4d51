import { eq, sql, type SQL } from 'drizzle-orm';
import { users } from '../storage/schema';
import type { Database } from '../storage/database';
import type { Redis } from '../storage/redis';
import { resetBruteForceDetections } from '../detection/counters';

/**
 * The reason of the automatic lock after repeated brute force. It refuses password logins only: the
 * owner's open sessions go on, or anyone who knows an email could log its owner out everywhere just by
 * failing passwords. A lock for any other reason (an operator's) also refuses the account's sessions.
 */
export const BRUTE_FORCE_LOCK = 'repeated_brute_force';

/** What a sign-in or a session asks of an account; the lock policy answers for each. */
export type AccountAccess = 'password' | 'google' | 'session';

/**
 * The lock policy in one place: an account locked until after `now` refuses `access`, except that
 * the automatic brute-force lock refuses password logins only (see BRUTE_FORCE_LOCK).
 */
/** An account's lock as stored on its row. */
export interface AccountLock { lockedUntil: Date | null; lockReason: string | null }

export function lockRefuses(user: AccountLock, access: AccountAccess, now: Date): boolean {
  if (!user.lockedUntil || user.lockedUntil <= now) return false;
  return access === 'password' || user.lockReason !== BRUTE_FORCE_LOCK;
}

/**
 * SQL twin of `lockRefuses(u, 'session', now)`, for the refresh statement, which must decide inside
 * the database: the user's `locked_until` when it refuses sessions too, else null. `u` aliases users.
 */
export const sessionBlockingLock = (u: SQL) => sql`case when ${u}.lock_reason = ${BRUTE_FORCE_LOCK} then null else ${u}.locked_until end`;

/** Locks an account until `until` (see BRUTE_FORCE_LOCK for what a lock refuses). */
export async function lockUser(db: Database, userId: string, until: Date, reason: string, now: Date): Promise<void> {
  await db.update(users).set({ lockedUntil: until, lockReason: reason, updatedAt: now }).where(eq(users.id, userId));
}

/** Unlocks an account and forgets its brute-force detections, so it starts with a clean slate. */
export async function unlockUser(db: Database, redis: Pick<Redis, 'del'>, userId: string, now: Date): Promise<boolean> {
  const rows = await db.update(users).set({ lockedUntil: null, lockReason: null, updatedAt: now }).where(eq(users.id, userId)).returning({ id: users.id });
  await resetBruteForceDetections(redis, userId);
  return rows.length > 0;
}
