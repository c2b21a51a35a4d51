/**
 * The dashboard's live-session list: newest sign-in first, filtered by user and country, one page at a
 * time by keyset over (created_at, id). A user's sessions are read through sessions_user_created_idx;
 * the whole list sorts the live sessions (top-N), which stays cheap at 100,000 of them
 * (docs/benchmarks.md).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../storage/database';
import { liveSessionAt } from './live-session';

export interface SessionFilters {
  userId?: string;
  country?: string;
}
/** Where a page ended: created_at as Postgres's text (microseconds kept) and the id. */
export interface SessionPosition {
  at: string;
  id: string;
}

export interface LiveSessionRecord {
  id: string;
  userId: string;
  deviceName: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  country: string | null;
  city: string | null;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
}

const iso = (v: unknown) => new Date(String(v)).toISOString();

export function liveSessionRecord(row: Record<string, unknown>): LiveSessionRecord {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    deviceName: (row.device_name as string | null) ?? null,
    ipAddress: (row.ip_address as string | null) ?? null,
    userAgent: (row.user_agent as string | null) ?? null,
    country: (row.country as string | null) ?? null,
    city: (row.city as string | null) ?? null,
    // expiresAt is when the session ends if left idle, as on the auth Worker's own session list.
    createdAt: iso(row.position_at),
    lastUsedAt: iso(row.last_used_at),
    expiresAt: iso(row.idle_expires_at),
  };
}

export async function searchLiveSessions(
  db: Pick<Database, 'execute'>,
  filters: SessionFilters,
  after: SessionPosition | undefined,
  limit: number,
  now: Date,
): Promise<{ sessions: LiveSessionRecord[]; next: SessionPosition | undefined }> {
  const where: SQL[] = [liveSessionAt(now)];
  if (filters.userId !== undefined) where.push(sql`user_id = ${filters.userId}`);
  if (filters.country !== undefined) where.push(sql`country = ${filters.country}`);
  if (after) where.push(sql`(created_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`);
  const { rows } =
    await db.execute(sql`select id, user_id, device_name, ip_address, user_agent, country, city, last_used_at, idle_expires_at,
       to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as position_at
  from sessions
 where ${sql.join(where, sql` and `)}
 order by created_at desc nulls last, id desc nulls last
 limit ${limit + 1}`);
  const page = (rows as Array<Record<string, unknown>>).slice(0, limit);
  const last = page.at(-1);
  return {
    sessions: page.map(liveSessionRecord),
    next: rows.length > limit && last ? { at: String(last.position_at), id: String(last.id) } : undefined,
  };
}
