/**
 * Sessions and their refresh tokens: a `sessions` row holds a session's device, place, limits and
 * state; `refresh_tokens` holds the tokens (hash, parent, expiry, rotated, revoked). This adapter has
 * every statement the session flows run; starting, rotating and ending a session are one statement
 * each (one round trip).
 */
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { refreshTokens, sessions } from '../storage/schema';
import type { Database } from '../storage/database';
import { liveSessionAt } from './live-session';
import type { ClientContext } from '../client/client-context';
import type { PresentedTokenState } from './refresh-outcome';
import { sessionBlockingLock } from '../accounts/account-lock';
import { publicUserFromRow, type PublicUser } from '../accounts/user-store';

export interface NewSession {
  userId: string;
  tokenHash: string;
  deviceName: string | null;
  client: ClientContext;
  now: Date;
  /** The first token's expiry: when the session ends if it is never refreshed. */
  expiresAt: Date;
  sessionExpiresAt: Date;
}

export async function createSession(db: Database, s: NewSession): Promise<{ sessionId: string; tokenId: string }> {
  const c = s.client;
  const result = await db.execute(sql`
    with session as (
      insert into sessions (user_id, device_name, device_fingerprint, ip_address, user_agent, country, city,
             latitude, longitude, asn, colo, created_at, last_used_at, expires_at, idle_expires_at)
      values (${s.userId}, ${s.deviceName}, ${c.fingerprint}, ${c.ip}, ${c.userAgent}, ${c.country}, ${c.city},
             ${c.latitude}, ${c.longitude}, ${c.asn}, ${c.colo}, ${s.now}, ${s.now}, ${s.sessionExpiresAt}, ${s.expiresAt})
      returning id
    )
    insert into refresh_tokens (token_hash, session_id, created_at, expires_at)
    select ${s.tokenHash}, session.id, ${s.now}, ${s.expiresAt} from session
    returning id, session_id`);
  const row = result.rows[0] as { id: string; session_id: string } | undefined;
  if (!row) throw new Error('session insert returned no row');
  return { sessionId: row.session_id, tokenId: row.id };
}

export interface RotationResult extends PresentedTokenState {
  tokenId: string;
  sessionId: string;
  userId: string;
  user: PublicUser;
  sessionFingerprint: string | null;
  /** Where the session was last used before this refresh: a refresh from elsewhere is a signal. */
  previousCountry: string | null;
  previousAsn: number | null;
  newTokenId: string | null;
  /** The session's absolute end: no token of it, refresh or access, outlives it. */
  sessionExpiresAt: Date;
  /** Refreshes of the session in its count window, this one included; null when nothing was issued. */
  refreshesInWindow: number | null;
}

const asDate = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));

/**
 * Retires the presented token, issues its successor and touches the session, in one statement. The
 * token's row lock makes concurrent refreshes of one token queue up; each then sees the first one's
 * `rotated_at` and, inside the reuse interval and on the session's device, gets a token of its own in
 * the same session (clients that retry or race are not punished). Otherwise nothing is issued and the
 * caller names the outcome (refresh-outcome.ts). The session's own row says whether it is over.
 */
export async function rotateRefreshToken(
  db: Database,
  r: {
    presentedHash: string;
    newHash: string;
    client: ClientContext;
    now: Date;
    newExpiresAt: Date;
    reuseIntervalSeconds: number;
    /** The window refreshes are counted in (`sessions.refreshes_in_window`), from the first of them. */
    refreshCountWindowSeconds: number;
  },
): Promise<RotationResult | undefined> {
  const now = r.now.toISOString();
  const c = r.client;
  const result = await db.execute(sql`
    with found as (
      select t.id, t.session_id, t.expires_at, t.rotated_at, t.revoked_at,
             s.user_id, s.device_fingerprint, s.country, s.asn, s.expires_at as session_expires_at,
             s.revoked_at is not null as session_revoked,
             u.email, u.name, u.role, ${sessionBlockingLock(sql`u`)} as locked_until
        from refresh_tokens t join sessions s on s.id = t.session_id join users u on u.id = s.user_id
       where t.token_hash = ${r.presentedHash}
         for update of t
    ), retired as (
      update refresh_tokens t set rotated_at = coalesce(t.rotated_at, ${now}::timestamptz)
        from found f
       where t.id = f.id
         and f.revoked_at is null
         and not f.session_revoked
         and f.expires_at > ${now}::timestamptz
         and (f.locked_until is null or f.locked_until <= ${now}::timestamptz)
         -- Within the reuse interval a retired token gets a second child only on the session's own device:
         -- from anywhere else it is a stolen copy (refresh-outcome.ts), not a client's retry.
         and (f.rotated_at is null or (f.rotated_at > ${now}::timestamptz - make_interval(secs => ${r.reuseIntervalSeconds})
              and (f.device_fingerprint is null or f.device_fingerprint = ${c.fingerprint})))
      returning t.id
    ), issued as (
      insert into refresh_tokens (token_hash, session_id, parent_id, created_at, expires_at)
      select ${r.newHash}, f.session_id, f.id, ${now}::timestamptz, least(${r.newExpiresAt.toISOString()}::timestamptz, f.session_expires_at)
        from found f join retired on retired.id = f.id
      returning id, session_id, expires_at
    ), touched as (
      update sessions s set last_used_at = ${now}::timestamptz, idle_expires_at = greatest(s.idle_expires_at, issued.expires_at),
             ip_address = ${c.ip}, user_agent = ${c.userAgent}, country = ${c.country}, city = ${c.city},
             latitude = ${c.latitude}, longitude = ${c.longitude}, asn = ${c.asn}, colo = ${c.colo},
             -- A fixed window from its first refresh (as the Redis counters keep theirs): both read the old values.
             refreshes_in_window = case when s.refresh_window_started_at > ${now}::timestamptz - make_interval(secs => ${r.refreshCountWindowSeconds})
                                        then s.refreshes_in_window + 1 else 1 end,
             refresh_window_started_at = case when s.refresh_window_started_at > ${now}::timestamptz - make_interval(secs => ${r.refreshCountWindowSeconds})
                                        then s.refresh_window_started_at else ${now}::timestamptz end
        from issued where s.id = issued.session_id
      returning s.id, s.refreshes_in_window -- runs whether or not the select below reads it
    )
    select f.*, (select id from issued) as new_token_id, (select refreshes_in_window from touched) as refreshes_in_window
      from found f`);
  const row = result.rows[0] as Record<string, unknown> | undefined;
  if (!row) return undefined;
  const newTokenId = (row.new_token_id as string | null) ?? null;
  return {
    tokenId: row.id as string,
    sessionId: row.session_id as string,
    userId: row.user_id as string,
    user: publicUserFromRow({ ...row, id: row.user_id }),
    sessionFingerprint: (row.device_fingerprint as string | null) ?? null,
    previousCountry: (row.country as string | null) ?? null,
    previousAsn: row.asn === null || row.asn === undefined ? null : Number(row.asn),
    revokedAt: asDate(row.revoked_at),
    sessionRevoked: row.session_revoked === true,
    rotatedAt: asDate(row.rotated_at),
    expiresAt: asDate(row.expires_at) as Date,
    sessionExpiresAt: asDate(row.session_expires_at) as Date,
    lockedUntil: asDate(row.locked_until),
    // Sessions from before fingerprints were stored have none: any device is theirs.
    fromSessionDevice: row.device_fingerprint === null || row.device_fingerprint === c.fingerprint,
    issuedNewToken: newTokenId !== null,
    newTokenId,
    refreshesInWindow:
      row.refreshes_in_window === null || row.refreshes_in_window === undefined
        ? null
        : Number(row.refreshes_in_window),
  };
}

/** What ending sessions did: how many were ended, how many of those were still usable, and their tokens retired. */
export interface EndedSessions {
  sessions: number;
  live: number;
  tokensRetired: number;
}

/**
 * SQL, for a statement whose CTE `ended` returns the ids of sessions it just revoked: retires their
 * tokens. A token locked by a rotation in flight is skipped rather than waited for (waiting could
 * deadlock with that rotation, which holds the token and wants the session row); the session row
 * decides, so a skipped or newly minted token of an ended session is refused all the same.
 */
export const retireTokensOfEnded = (now: Date) => sql`
  update refresh_tokens set revoked_at = ${now}
   where id in (select t.id from refresh_tokens t join ended on ended.id = t.session_id
                 where t.revoked_at is null for update of t skip locked)
  returning id`;

/** Revokes the not yet revoked sessions among `chosen` (a SELECT of session ids) and retires their tokens. */
async function endSessions(db: Database, chosen: SQL, reason: string, now: Date): Promise<EndedSessions> {
  const result = await db.execute(sql`
    with ended as (
      update sessions set revoked_at = ${now}, revoked_reason = ${reason}
       where id in (${chosen}) and revoked_at is null
      returning id, idle_expires_at
    ), retired as (${retireTokensOfEnded(now)})
    select (select count(*) from ended)::int as sessions,
           (select count(*) from ended where idle_expires_at > ${now})::int as live,
           (select count(*) from retired)::int as tokens`);
  const row = result.rows[0] as { sessions: number; live: number; tokens: number };
  return { sessions: Number(row.sessions), live: Number(row.live), tokensRetired: Number(row.tokens) };
}

/** Ends one session (only if it is `userId`'s, when given). */
export function revokeSession(
  db: Database,
  sessionId: string,
  reason: string,
  now: Date,
  userId?: string,
): Promise<EndedSessions> {
  const owner = userId === undefined ? sql`` : sql` and user_id = ${userId}`;
  return endSessions(db, sql`select id from sessions where id = ${sessionId}${owner}`, reason, now);
}

/** Ends every session of a user (an indexed scan of their unrevoked sessions). */
export function revokeAllSessions(db: Database, userId: string, reason: string, now: Date): Promise<EndedSessions> {
  return endSessions(db, sql`select id from sessions where user_id = ${userId} and revoked_at is null`, reason, now);
}

/** Logs out the session a refresh token belongs to; returns it, or undefined for an unknown token. */
export async function revokeSessionOfToken(
  db: Database,
  tokenHash: string,
  now: Date,
): Promise<({ sessionId: string; userId: string } & EndedSessions) | undefined> {
  const [token] = await db
    .select({ sessionId: sessions.id, userId: sessions.userId })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .limit(1);
  if (!token) return undefined;
  return { ...token, ...(await revokeSession(db, token.sessionId, 'logout', now)) };
}

export interface ActiveSession {
  id: string;
  deviceName: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  country: string | null;
  city: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
}

/** A user's live sessions, most recently used first; `expiresAt` is when each ends if left idle. */
export function listActiveSessions(db: Database, userId: string, now: Date): Promise<ActiveSession[]> {
  return db
    .select({
      id: sessions.id,
      deviceName: sessions.deviceName,
      ipAddress: sessions.ipAddress,
      userAgent: sessions.userAgent,
      country: sessions.country,
      city: sessions.city,
      createdAt: sessions.createdAt,
      lastUsedAt: sessions.lastUsedAt,
      expiresAt: sessions.idleExpiresAt,
    })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), liveSessionAt(now)))
    .orderBy(desc(sessions.lastUsedAt));
}
