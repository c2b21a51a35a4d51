import { lt } from 'drizzle-orm';
import { refreshTokens } from '../src/lib/db/schema';
import type { Database } from '../src/lib/storage/database';

/**
 * Deletes refresh tokens a day past their expiry. The day's grace keeps an expired token answering
 * TOKEN_EXPIRED (not TOKEN_INVALID) to a client that comes back shortly after.
 */
export async function cleanupExpiredTokens(db: Database, now: Date): Promise<{ expiredTokensDeleted: number }> {
  const cutoff = new Date(now.getTime() - 86_400_000);
  const deleted = await db.delete(refreshTokens).where(lt(refreshTokens.expiresAt, cutoff)).returning({ id: refreshTokens.id });
  return { expiredTokensDeleted: deleted.length };
}
