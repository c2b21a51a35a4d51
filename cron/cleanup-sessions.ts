import { sql } from 'drizzle-orm';
import type { Database } from '../src/lib/storage/database';

export interface SessionRetention {
  /**
   * How long an expired token (or a session that expired unrevoked) is kept: the grace keeps it
   * answering TOKEN_EXPIRED (not TOKEN_INVALID) to a client that comes back shortly after.
   * @default 1 day
   */
  expiredGraceMs: number;
  /** How long a revoked session is kept (the dashboard and an investigation read it). @default 30 days */
  revokedRetentionMs: number;
}

export const DEFAULT_SESSION_RETENTION: SessionRetention = { expiredGraceMs: 86_400_000, revokedRetentionMs: 30 * 86_400_000 };

/**
 * Deletes whole sessions that ended long enough ago (their tokens go with them, ON DELETE CASCADE),
 * then expired tokens of live sessions. A session's state is its own row, so no order of deletions
 * can make a revoked session live again: deleting tokens never touches `sessions.revoked_at`.
 */
export async function cleanupSessions(db: Database, now: Date, retention = DEFAULT_SESSION_RETENTION) {
  const expiredBefore = new Date(now.getTime() - retention.expiredGraceMs);
  const revokedBefore = new Date(now.getTime() - retention.revokedRetentionMs);
  const sessions = await db.execute(sql`
    with deleted as (
      delete from sessions
       where (revoked_at is null and idle_expires_at < ${expiredBefore})
          or revoked_at < ${revokedBefore}
      returning 1
    )
    select count(*)::int as n from deleted`);
  const tokens = await db.execute(sql`
    with deleted as (delete from refresh_tokens where expires_at < ${expiredBefore} returning 1)
    select count(*)::int as n from deleted`);
  const count = (r: { rows: unknown[] }) => Number((r.rows[0] as { n: number }).n);
  return { sessionsDeleted: count(sessions), expiredTokensDeleted: count(tokens) };
}
