/**
 * The dashboard's event search: newest first, filtered, one page at a time by keyset over
 * (created_at, id), so a page costs the same at any depth and events inserted meanwhile never shift a
 * page (they are newer than every position already handed out, or, stored late by the outbox drain,
 * fall where their time puts them). Served by security_events_created_idx (created_at desc, id desc),
 * and by the (type | user_id | ip_address, created_at desc) indexes when those filters are set. The
 * order says `nulls last` as the indexes do (drizzle's desc): a plain `desc` means nulls first, which
 * no index here has, and the planner then sorts the whole table for every page (the column is not
 * null, but the planner does not use that to match an index's order).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../storage/database';
import type { Severity } from './event-types';

export interface EventFilters {
  type?: string;
  severity?: Severity;
  userId?: string;
  ip?: string;
  from?: Date;
  to?: Date;
}

/**
 * Where a page ended: the last event's created_at as Postgres's own text (microseconds kept, which a
 * JavaScript Date would drop, and a keyset over a rounded time would skip or repeat rows) and its id.
 */
export interface EventPosition {
  at: string;
  id: number;
}

export interface EventRecord {
  id: number;
  type: string;
  severity: Severity;
  userId: string | null;
  tokenId: string | null;
  ip: string | null;
  userAgent: string | null;
  country: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
}

export interface EventPage {
  events: EventRecord[];
  next: EventPosition | undefined;
}

function conditions(filters: EventFilters, after: EventPosition | undefined): SQL {
  const where: SQL[] = [];
  if (filters.type !== undefined) where.push(sql`event_type = ${filters.type}`);
  if (filters.severity !== undefined) where.push(sql`severity = ${filters.severity}`);
  if (filters.userId !== undefined) where.push(sql`user_id = ${filters.userId}`);
  if (filters.ip !== undefined) where.push(sql`ip_address = ${filters.ip}`);
  if (filters.from !== undefined) where.push(sql`created_at >= ${filters.from}`);
  if (filters.to !== undefined) where.push(sql`created_at <= ${filters.to}`);
  if (after) where.push(sql`(created_at, id) < (${after.at}::timestamptz, ${after.id})`);
  return where.length === 0 ? sql`true` : sql.join(where, sql` and `);
}

/** One page of `limit` events after `after` (the newest when undefined), and where the next page starts. */
export async function searchEvents(
  db: Pick<Database, 'execute'>,
  filters: EventFilters,
  after: EventPosition | undefined,
  limit: number,
): Promise<EventPage> {
  const { rows } =
    await db.execute(sql`select id, event_type, severity, user_id, token_id, ip_address, user_agent, country, metadata,
       to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as position_at
  from security_events
 where ${conditions(filters, after)}
 order by created_at desc nulls last, id desc nulls last
 limit ${limit + 1}`);
  const page = (rows as Array<Record<string, unknown>>).slice(0, limit);
  const events = page.map(eventRecord);
  const last = page.at(-1);
  return {
    events,
    next: rows.length > limit && last ? { at: String(last.position_at), id: Number(last.id) } : undefined,
  };
}

/** The wire shape of one row; createdAt in milliseconds (ISO-8601), as every time of the API. */
export function eventRecord(row: Record<string, unknown>): EventRecord {
  const metadata =
    typeof row.metadata === 'string'
      ? (JSON.parse(row.metadata) as Record<string, unknown>)
      : ((row.metadata as Record<string, unknown> | null) ?? {});
  return {
    id: Number(row.id),
    type: String(row.event_type),
    severity: String(row.severity) as Severity,
    userId: (row.user_id as string | null) ?? null,
    tokenId: (row.token_id as string | null) ?? null,
    ip: (row.ip_address as string | null) ?? null,
    userAgent: (row.user_agent as string | null) ?? null,
    country: (row.country as string | null) ?? null,
    metadata,
    createdAt: new Date(String(row.position_at)).toISOString(),
  };
}
