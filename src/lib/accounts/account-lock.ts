import { eq, sql, type SQL } from 'drizzle-orm';
import { users } from '../storage/schema';
import type { Database } from '../storage/database';
import type { Redis } from '../storage/redis';
import { resetBruteForceDetections } from '../detection/counters';

/**
 * The reason of the automatic lock after repeated brute force. It refuses password logins only: the
 * owner's open sessions go on, or anyone who knows an email could log its owner out everywhere just by
 * failing passwords. A lock for any reason other than these two also refuses the account's sessions.
 */
export const BRUTE_FORCE_LOCK = 'repeated_brute_force';

/**
 * The reason of an operator's lock from the dashboard (contract: "a lock refuses logins and ends
 * nothing else unless the admin also revokes sessions"): it refuses every sign-in, by password or
 * Google, and leaves open sessions alone; the admin ends those with revoke-sessions.
 */
export const ADMIN_LOCK = 'admin_lock';

/** Locks that refuse sign-ins but not the account's open sessions. */
const SIGN_IN_ONLY_LOCKS = [BRUTE_FORCE_LOCK, ADMIN_LOCK];

/** What a sign-in or a session asks of an account; the lock policy answers for each. */
export type AccountAccess = 'password' | 'google' | 'session';

/**
/** An account's lock as stored on its row. */
export interface AccountLock {
  lockedUntil: Date | null;
  lockReason: string | null;
}

/**
 * The lock policy in one place: an account locked until after `now` refuses `access`, except that
 * the automatic brute-force lock refuses password logins only (BRUTE_FORCE_LOCK) and an operator's
 * lock refuses sign-ins only (ADMIN_LOCK).
 */
export function lockRefuses(user: AccountLock, access: AccountAccess, now: Date): boolean {
  if (!user.lockedUntil || user.lockedUntil <= now) return false;
  if (user.lockReason === BRUTE_FORCE_LOCK) return access === 'password';
  if (user.lockReason === ADMIN_LOCK) return access !== 'session';
  return true;
}

/**
 * SQL twin of `lockRefuses(u, 'session', now)`, for the refresh statement, which must decide inside
 * the database: the user's `locked_until` when it refuses sessions too, else null. `u` aliases users.
 */
export const sessionBlockingLock = (u: SQL) =>
  sql`case when ${u}.lock_reason in (${sql.join(
    SIGN_IN_ONLY_LOCKS.map((r) => sql`${r}`),
    sql`, `,
  )}) then null else ${u}.locked_until end`;

/** Locks an account until `until` (see BRUTE_FORCE_LOCK for what a lock refuses). */
export async function lockUser(db: Database, userId: string, until: Date, reason: string, now: Date): Promise<void> {
  await db.update(users).set({ lockedUntil: until, lockReason: reason, updatedAt: now }).where(eq(users.id, userId));
}

/** Unlocks an account and forgets its brute-force detections, so it starts with a clean slate. */
export async function unlockUser(db: Database, redis: Pick<Redis, 'del'>, userId: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ lockedUntil: null, lockReason: null, updatedAt: now })
    .where(eq(users.id, userId))
    .returning({ id: users.id });
  await resetBruteForceDetections(redis, userId);
  return rows.length > 0;
}
