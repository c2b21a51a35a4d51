/**
 * The state behind an access token, read in one indexed query: the user (current role, lock) and
 * whether the token's session is live. A session with any revoked token is over: a token minted by a
 * rotation that committed while a logout ran (the logout's UPDATE could not see it) dies with it. Revocation is therefore visible to
 * every Bearer route at once, with no cache to fall out of step: a logout during a Redis outage
 * cannot be forgotten when Redis returns (a deny-list in Redis could, if its write had failed).
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../storage/database';
import type { PublicUser } from '../users/user-store';
import { sessionBlockingLock } from '../users/account-lock';

export interface CallerState {
  user: PublicUser;
  lockedUntil: Date | null;
  sessionLive: boolean;
}

export async function loadCallerState(db: Database, userId: string, sessionId: string): Promise<CallerState | undefined> {
  const result = await db.execute(sql`
    select u.id, u.email, u.name, u.role,
           ${sessionBlockingLock(sql`u`)} as locked_until,
           exists (select 1 from refresh_tokens t where t.session_id = ${sessionId} and t.user_id = u.id)
             and not exists (select 1 from refresh_tokens t where t.session_id = ${sessionId} and t.revoked_at is not null) as session_live
      from users u where u.id = ${userId}`);
  const row = result.rows[0] as Record<string, unknown> | undefined;
  if (!row) return undefined;
  return {
    user: { id: row.id as string, email: row.email as string, name: row.name as string, role: row.role as 'user' | 'admin' },
    lockedUntil: row.locked_until ? new Date(row.locked_until as string) : null,
    sessionLive: row.session_live === true,
  };
}
