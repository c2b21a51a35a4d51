/**
 * The state behind an access token, read in one indexed query: the user (current role, lock) and
 * whether the token's session is live, from the session's own row (a primary-key lookup, whatever the
 * session's age). Revocation is therefore visible to every Bearer route at once, with no cache to
 * fall out of step: a logout during a Redis outage cannot be forgotten when Redis returns.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../storage/database';
import { publicUserFromRow, type PublicUser } from '../accounts/user-store';
import type { AccountLock } from '../accounts/account-lock';

export interface CallerState {
  user: PublicUser;
  /** The account's lock as stored; `lockRefuses(lock, 'session', now)` says whether it refuses this caller. */
  lock: AccountLock;
  sessionLive: boolean;
}

export async function loadCallerState(
  db: Database,
  userId: string,
  sessionId: string,
): Promise<CallerState | undefined> {
  const result = await db.execute(sql`
    select u.id, u.email, u.name, u.role,
           u.locked_until, u.lock_reason,
           (s.id is not null and s.revoked_at is null) as session_live
      from users u left join sessions s on s.id = ${sessionId} and s.user_id = u.id
     where u.id = ${userId}`);
  const row = result.rows[0] as Record<string, unknown> | undefined;
  if (!row) return undefined;
  return {
    user: publicUserFromRow(row),
    lock: {
      lockedUntil: row.locked_until ? new Date(row.locked_until as string) : null,
      lockReason: (row.lock_reason as string | null) ?? null,
    },
    sessionLive: row.session_live === true,
  };
}
