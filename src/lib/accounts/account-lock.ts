import { and, eq, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { users } from '../storage/schema';
import type { Database } from '../storage/database';
import type { Redis } from '../storage/redis';
import { resetBruteForceDetections } from '../detection/counters';

/**
 * The reason of the automatic lock after brute force (repeated per-address detections, or guessing
 * spread over many addresses). It refuses password logins from devices the account does not know
 * only: the owner's open sessions go on, and so do the owner's password logins from a device of an
 * earlier session (known-device.ts), or anyone who knows an email could lock its owner out just by
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
export function lockRefuses(
  user: AccountLock,
  access: AccountAccess,
  now: Date,
  device: { known: boolean } = { known: false },
): boolean {
  if (!user.lockedUntil || user.lockedUntil <= now) return false;
  if (user.lockReason === BRUTE_FORCE_LOCK) return access === 'password' && !device.known;
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

/** Whether a brute-force lock is in force, so a login must ask if its device is known (a query only then). */
export const bruteForceLocked = (user: AccountLock, now: Date): boolean =>
  user.lockReason === BRUTE_FORCE_LOCK && user.lockedUntil !== null && user.lockedUntil > now;

/**
 * The automatic lock (BRUTE_FORCE_LOCK) until at least `until`: it never replaces an operator's or
 * any other lock still in force (a brute force must not weaken an admin lock into a password-only
 * one), and never shortens a brute-force lock already running. Returns whether it locked.
 */
export async function lockPasswordLogins(db: Database, userId: string, until: Date, now: Date): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({
      lockedUntil: sql`greatest(coalesce(${users.lockedUntil}, ${until}), ${until})`,
      lockReason: BRUTE_FORCE_LOCK,
      updatedAt: now,
    })
    .where(
      and(
        eq(users.id, userId),
        or(isNull(users.lockedUntil), lte(users.lockedUntil, now), eq(users.lockReason, BRUTE_FORCE_LOCK)),
      ),
    )
    .returning({ id: users.id });
  return rows.length > 0;
}

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
