/**
 * Links a Google identity to an existing account in one statement, so in one transaction: when the
 * account has a password but its address was never proven, the password is cleared and every
 * session ends in the same commit as the link. Whoever signed up with someone else's address before
 * that person came with Google keeps nothing (pre-account takeover), and no request can see the
 * account linked with the old password still working.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../storage/database';
import { retireTokensOfEnded } from '../sessions/session-store';

/** Why the sessions of an account whose address Google just proved were ended. */
export const EMAIL_PROVEN_BY_GOOGLE = 'email_proven_by_google';

export type GoogleLinkOutcome =
  | { linked: true; passwordCleared: boolean; sessionsEnded: number }
  /** Another request linked a Google identity first (the caller looks again). */
  | { linked: false };

export async function linkGoogleIdentity(
  db: Database,
  userId: string,
  subject: string,
  now: Date,
): Promise<GoogleLinkOutcome> {
  const result = await db.execute(sql`
    with target as (
      select id, (password_hash is not null and email_verified_at is null) as unproven
        from users where id = ${userId} and google_subject is null
         for update
    ), ended as (
      update sessions s set revoked_at = ${now}, revoked_reason = ${EMAIL_PROVEN_BY_GOOGLE}
        from target where s.user_id = target.id and target.unproven and s.revoked_at is null
      returning s.id, s.idle_expires_at
    ), retired as (${retireTokensOfEnded(now)}
    ), linked as (
      update users u set google_subject = ${subject},
             password_hash = case when target.unproven then null else u.password_hash end,
             email_verified_at = coalesce(u.email_verified_at, ${now}), updated_at = ${now}
        from target where u.id = target.id
      returning target.unproven
    )
    select (select unproven from linked) as unproven,
           (select count(*) from ended where idle_expires_at > ${now})::int as sessions_ended`);
  const row = result.rows[0] as { unproven: boolean | null; sessions_ended: number } | undefined;
  if (!row || row.unproven === null) return { linked: false };
  return { linked: true, passwordCleared: row.unproven, sessionsEnded: Number(row.sessions_ended) };
}
