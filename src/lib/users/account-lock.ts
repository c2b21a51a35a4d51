import { eq } from 'drizzle-orm';
import { users } from '../db/schema';
import type { Database } from '../storage/database';

/** Locks an account until `until`; its sessions' access tokens are refused meanwhile (see caller-state). */
export async function lockUser(db: Database, userId: string, until: Date, reason: string, now: Date): Promise<void> {
  await db.update(users).set({ lockedUntil: until, lockReason: reason, updatedAt: now }).where(eq(users.id, userId));
}

export async function unlockUser(db: Database, userId: string, now: Date): Promise<boolean> {
  const rows = await db.update(users).set({ lockedUntil: null, lockReason: null, updatedAt: now }).where(eq(users.id, userId)).returning({ id: users.id });
  return rows.length > 0;
}
