/**
 * Sessions live in refresh_tokens: a session is the family of tokens sharing `session_id`. This
 * adapter holds every statement the session flows run; rotation is one statement (one round trip).
 */
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { refreshTokens } from '../db/schema';
import type { Database } from '../storage/database';
import type { ClientContext } from '../http/client-context';
import type { PresentedTokenState } from './refresh-outcome';
import { sessionBlockingLock } from '../users/account-lock';

export interface NewSession {
  userId: string;
  tokenHash: string;
  deviceName: string | null;
  client: ClientContext;
  now: Date;
  expiresAt: Date;
  sessionExpiresAt: Date;
}

export async function createSession(db: Database, s: NewSession): Promise<{ sessionId: string; tokenId: string }> {
  const sessionId = crypto.randomUUID();
  const [row] = await db.insert(refreshTokens).values({
    tokenHash: s.tokenHash, sessionId, userId: s.userId, deviceName: s.deviceName,
    deviceFingerprint: s.client.fingerprint, ipAddress: s.client.ip, userAgent: s.client.userAgent,
    country: s.client.country, city: s.client.city, latitude: s.client.latitude, longitude: s.client.longitude,
    sessionCreatedAt: s.now, sessionExpiresAt: s.sessionExpiresAt, createdAt: s.now, lastUsedAt: s.now, expiresAt: s.expiresAt,
  }).returning({ id: refreshTokens.id });
  if (!row) throw new Error('refresh token insert returned no row');
  return { sessionId, tokenId: row.id };
}

export interface RotationResult extends PresentedTokenState {
  tokenId: string;
  sessionId: string;
  userId: string;
  user: { id: string; email: string; name: string; role: 'user' | 'admin' };
  sessionFingerprint: string | null;
  /** Where the presented token was issued: a refresh from elsewhere is a signal. */
  previousCountry: string | null;
  newTokenId: string | null;
  /** The session's absolute end: no token of it, refresh or access, outlives it. */
  sessionExpiresAt: Date;
}

const asDate = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));

/**
 * Retires the presented token and issues its successor in one statement. The row lock makes
 * concurrent refreshes of one token queue up; each then sees the first one's `rotated_at` and, inside
 * the reuse interval, gets a token of its own in the same session (clients that retry or race are
 * not punished). Outside the interval nothing is issued and the caller names the outcome.
 */
export async function rotateRefreshToken(db: Database, r: {
  presentedHash: string; newHash: string; client: ClientContext; now: Date; newExpiresAt: Date; reuseIntervalSeconds: number;
}): Promise<RotationResult | undefined> {
  const now = r.now.toISOString();
  const result = await db.execute(sql`
    with found as (
      select t.id, t.session_id, t.user_id, t.device_name, t.device_fingerprint, t.country, t.session_created_at,
             t.session_expires_at, t.expires_at, t.rotated_at, t.revoked_at,
             exists (select 1 from refresh_tokens r where r.session_id = t.session_id and r.revoked_at is not null) as session_revoked,
             u.email, u.name, u.role, ${sessionBlockingLock(sql`u`)} as locked_until
        from refresh_tokens t join users u on u.id = t.user_id
       where t.token_hash = ${r.presentedHash}
         for update of t
    ), retired as (
      update refresh_tokens t
         set rotated_at = coalesce(t.rotated_at, ${now}::timestamptz), last_used_at = ${now}::timestamptz
        from found f
       where t.id = f.id
         and f.revoked_at is null
         and not f.session_revoked
         and f.expires_at > ${now}::timestamptz
         and (f.locked_until is null or f.locked_until <= ${now}::timestamptz)
         -- Within the reuse interval a retired token gets a second child only on the session's own device:
         -- from anywhere else it is a stolen copy (refresh-outcome.ts), not a client's retry.
         and (f.rotated_at is null or (f.rotated_at > ${now}::timestamptz - make_interval(secs => ${r.reuseIntervalSeconds})
              and (f.device_fingerprint is null or f.device_fingerprint = ${r.client.fingerprint})))
      returning t.id
    ), issued as (
      insert into refresh_tokens (token_hash, session_id, user_id, parent_id, device_name, device_fingerprint,
             ip_address, user_agent, country, city, latitude, longitude,
             session_created_at, session_expires_at, created_at, last_used_at, expires_at)
      select ${r.newHash}, f.session_id, f.user_id, f.id, f.device_name, f.device_fingerprint,
             ${r.client.ip}, ${r.client.userAgent}, ${r.client.country}, ${r.client.city}, ${r.client.latitude}, ${r.client.longitude},
             f.session_created_at, f.session_expires_at, ${now}::timestamptz, ${now}::timestamptz,
             least(${r.newExpiresAt.toISOString()}::timestamptz, f.session_expires_at)
        from found f join retired on retired.id = f.id
      returning id
    )
    select f.*, (select id from issued) as new_token_id from found f`);
  const row = result.rows[0] as Record<string, unknown> | undefined;
  if (!row) return undefined;
  const newTokenId = (row.new_token_id as string | null) ?? null;
  return {
    tokenId: row.id as string,
    sessionId: row.session_id as string,
    userId: row.user_id as string,
    user: { id: row.user_id as string, email: row.email as string, name: row.name as string, role: row.role as 'user' | 'admin' },
    sessionFingerprint: (row.device_fingerprint as string | null) ?? null,
    previousCountry: (row.country as string | null) ?? null,
    revokedAt: asDate(row.revoked_at),
    sessionRevoked: row.session_revoked === true,
    rotatedAt: asDate(row.rotated_at),
    expiresAt: asDate(row.expires_at) as Date,
    sessionExpiresAt: asDate(row.session_expires_at) as Date,
    lockedUntil: asDate(row.locked_until),
    // Sessions from before fingerprints were stored have none: any device is theirs.
    fromSessionDevice: row.device_fingerprint === null || row.device_fingerprint === r.client.fingerprint,
    issuedNewToken: newTokenId !== null,
    newTokenId,
  };
}

/** Revokes every live token of a session; returns how many there were. */
export async function revokeSession(db: Database, sessionId: string, reason: string, now: Date, userId?: string): Promise<number> {
  const rows = await db.update(refreshTokens).set({ revokedAt: now, revokedReason: reason })
    .where(and(eq(refreshTokens.sessionId, sessionId), isNull(refreshTokens.revokedAt), userId ? eq(refreshTokens.userId, userId) : undefined))
    .returning({ id: refreshTokens.id });
  return rows.length;
}

/** Revokes every session of a user; `live` counts the sessions that were usable. */
export async function revokeAllSessions(db: Database, userId: string, reason: string, now: Date): Promise<{ live: number }> {
  const rows = await db.update(refreshTokens).set({ revokedAt: now, revokedReason: reason })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
    .returning({ sessionId: refreshTokens.sessionId, expiresAt: refreshTokens.expiresAt, rotatedAt: refreshTokens.rotatedAt });
  const live = rows.filter((r) => r.rotatedAt === null && r.expiresAt > now);
  return { live: new Set(live.map((r) => r.sessionId)).size };
}

/** Logs out the session a refresh token belongs to; returns it, or undefined for an unknown token. */
export async function revokeSessionOfToken(db: Database, tokenHash: string, now: Date): Promise<{ sessionId: string; userId: string; revoked: number } | undefined> {
  const [token] = await db.select({ sessionId: refreshTokens.sessionId, userId: refreshTokens.userId })
    .from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).limit(1);
  if (!token) return undefined;
  const revoked = await revokeSession(db, token.sessionId, 'logout', now);
  return { ...token, revoked };
}

export interface ActiveSession {
  id: string; deviceName: string | null; ipAddress: string | null; userAgent: string | null;
  country: string | null; city: string | null; createdAt: Date; lastUsedAt: Date; expiresAt: Date;
}

/** A user's live sessions, described by each one's newest token (its device, where it was last used). */
export async function listActiveSessions(db: Database, userId: string, now: Date): Promise<ActiveSession[]> {
  const rows = await db.selectDistinctOn([refreshTokens.sessionId], {
    id: refreshTokens.sessionId, deviceName: refreshTokens.deviceName, ipAddress: refreshTokens.ipAddress,
    userAgent: refreshTokens.userAgent, country: refreshTokens.country, city: refreshTokens.city,
    createdAt: refreshTokens.sessionCreatedAt, lastUsedAt: refreshTokens.lastUsedAt, expiresAt: refreshTokens.expiresAt,
  }).from(refreshTokens)
    .where(and(
      eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt), isNull(refreshTokens.rotatedAt), gt(refreshTokens.expiresAt, now),
      sql`not exists (select 1 from refresh_tokens r where r.session_id = ${refreshTokens.sessionId} and r.revoked_at is not null)`,
    ))
    .orderBy(refreshTokens.sessionId, sql`${refreshTokens.createdAt} desc`);
  return rows.sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime());
}
