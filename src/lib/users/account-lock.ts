import { eq } from 'drizzle-orm';
import { users } from '../db/schema';
import type { Database } from '../storage/database';
import type { Redis } from '../storage/redis';
import { resetBruteForceDetections } from '../detection/counters';

/** Locks an account until `until`; its sessions' access tokens are refused meanwhile (see caller-state). */
export async function lockUser(db: Database, userId: string, until: Date, reason: string, now: Date): Promise<void> {
  await db.update(users).set({ lockedUntil: until, lockReason: reason, updatedAt: now }).where(eq(users.id, userId));
}

/** Unlocks an account and forgets its brute-force detections, so it starts with a clean slate. */
export async function unlockUser(db: Database, redis: Pick<Redis, 'del'>, userId: string, now: Date): Promise<boolean> {
  const rows = await db.update(users).set({ lockedUntil: null, lockReason: null, updatedAt: now }).where(eq(users.id, userId)).returning({ id: users.id });
  await resetBruteForceDetections(redis, userId);
  return rows.length > 0;
}
