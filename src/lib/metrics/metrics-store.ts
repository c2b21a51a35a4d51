/**
 * The metrics' figures from Postgres, in one statement (one round trip): live sessions, active users,
 * open alerts, and the window's events counted per type and per bucket. docs/metrics.md shows this
 * statement as it is sent (tests/node/metrics-doc.test.ts keeps the two the same).
 *
 * Events are counted, not rows: a folded row (metadata.foldReason, see event-folding.ts) stands for
 * metadata.count repeats; any other row for one event.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../storage/database';
import { liveSessionAt } from '../sessions/live-session';
import { ceilHour, EVENT_WEIGHT, ROLLUP_NAME } from './metrics-rollup';
import {
  ACTIVE_USER_TYPES,
  FAILED_LOGIN_TYPES,
  SUCCESSFUL_LOGIN_TYPES,
  TOKEN_REFRESH_TYPES,
} from './metric-definitions';

const HOUR_MS = 3_600_000;

export interface FiguresQuery {
  /** The window's first instant (inclusive). */
  since: Date;
  /** The window's last instant (inclusive), and the instant sessions are live at. */
  now: Date;
  bucketMs: number;
}

export interface SeriesPoint {
  bucket: number;
  successfulLogins: number;
  failedLogins: number;
  tokenRefreshes: number;
}

export interface StoredFigures {
  activeSessions: number;
  activeUsers: number;
  openAlerts: number;
  /** Events in the window per type (types with none are absent). */
  eventsByType: Map<string, number>;
  /** Buckets (epoch ms of their start) with at least one event of any type; the caller fills the rest. */
  series: SeriesPoint[];
}

/**
 * A list of event types as an SQL literal: `('a', 'b')`. The types are this module's constants, never
 * input; inlined (not bound) so the statement reads as docs/metrics.md shows it.
 */
function typeList(types: readonly string[]): SQL {
  for (const t of types) if (!/^[a-z_]+$/.test(t)) throw new Error(`not an event type: ${t}`);
  return sql.raw(`(${types.map((t) => `'${t}'`).join(', ')})`);
}

export function figuresStatement(q: FiguresQuery): SQL {
  return sql`with counts as (
  select event_type,
         date_bin(${`${q.bucketMs / 1000} seconds`}::interval, created_at, timestamptz '1970-01-01 00:00:00+00') as bucket,
         sum(case when metadata ? 'foldReason' then coalesce((metadata->>'count')::int, 1) else 1 end) as n
    from security_events
   where created_at >= ${q.since} and created_at <= ${q.now}
   group by event_type, bucket
)
select
  (select count(*) from sessions where ${liveSessionAt(q.now)})::int as active_sessions,
  (select count(*) from (select distinct user_id from security_events
     where event_type in ${typeList(ACTIVE_USER_TYPES)} and created_at >= ${q.since} and created_at <= ${q.now}
       and user_id is not null) active)::int as active_users,
  (select count(*) from security_alerts where status = 'open')::int as open_alerts,
  (select coalesce(json_agg(json_build_array(event_type, n)), '[]') from (
     select event_type, sum(n)::bigint as n from counts group by event_type) by_type) as events_by_type,
  (select coalesce(json_agg(json_build_array((extract(epoch from bucket) * 1000)::bigint, s, f, r)), '[]') from (
     select bucket,
            coalesce(sum(n) filter (where event_type in ${typeList(SUCCESSFUL_LOGIN_TYPES)}), 0)::bigint as s,
            coalesce(sum(n) filter (where event_type in ${typeList(FAILED_LOGIN_TYPES)}), 0)::bigint as f,
            coalesce(sum(n) filter (where event_type in ${typeList(TOKEN_REFRESH_TYPES)}), 0)::bigint as r
       from counts group by bucket) by_bucket) as series`;
}

/**
 * The same figures for a window whose buckets are an hour or more, from the rollup (metrics-rollup.ts)
 * for the whole hours it covers inside the window and from raw events for the rest: the partial hour
 * at the window's start and everything after the rollup's end. The covered hours [lo, hi) are read
 * from metrics_rollup_state in the statement itself (still one round trip); with no usable rollup
 * (none yet, or one ahead of `now`) lo = hi and every figure comes from raw events, as above.
 */
export function rollupFiguresStatement(q: FiguresQuery): SQL {
  const firstWholeHour = ceilHour(q.since);
  const lo = sql`(select lo from bounds)`;
  const hi = sql`(select hi from bounds)`;
  const outside = sql`((created_at >= ${q.since} and created_at < ${lo} and created_at <= ${q.now}) or (created_at >= ${hi} and created_at <= ${q.now}))`;
  return sql`with cover as (
  select coalesce(max(greatest(covered_from, ${firstWholeHour})), ${firstWholeHour}) as lo,
         coalesce(max(covered_to) filter (where covered_to <= ${q.now}), ${firstWholeHour}) as hi
    from metrics_rollup_state where name = ${ROLLUP_NAME}
), bounds as (
  select lo, greatest(lo, hi) as hi from cover
), counts as (
  select event_type, date_bin(${`${q.bucketMs / 1000} seconds`}::interval, hour, timestamptz '1970-01-01 00:00:00+00') as bucket, sum(count) as n
    from security_event_counts_hourly
   where hour >= ${lo} and hour < ${hi}
   group by event_type, bucket
  union all
  select event_type,
         date_bin(${`${q.bucketMs / 1000} seconds`}::interval, created_at, timestamptz '1970-01-01 00:00:00+00') as bucket,
         sum(${EVENT_WEIGHT}) as n
    from security_events
   where ${outside}
   group by event_type, bucket
)
select
  (select count(*) from sessions where ${liveSessionAt(q.now)})::int as active_sessions,
  (select count(*) from (
     select user_id from metrics_user_activity
      where last_active_at >= ${q.since} and last_active_at < ${hi}
     union
     select user_id from security_events
      where event_type in ${typeList(ACTIVE_USER_TYPES)} and user_id is not null and ${outside}) active)::int as active_users,
  (select count(*) from security_alerts where status = 'open')::int as open_alerts,
  (select coalesce(json_agg(json_build_array(event_type, n)), '[]') from (
     select event_type, sum(n)::bigint as n from counts group by event_type) by_type) as events_by_type,
  (select coalesce(json_agg(json_build_array((extract(epoch from bucket) * 1000)::bigint, s, f, r)), '[]') from (
     select bucket,
            coalesce(sum(n) filter (where event_type in ${typeList(SUCCESSFUL_LOGIN_TYPES)}), 0)::bigint as s,
            coalesce(sum(n) filter (where event_type in ${typeList(FAILED_LOGIN_TYPES)}), 0)::bigint as f,
            coalesce(sum(n) filter (where event_type in ${typeList(TOKEN_REFRESH_TYPES)}), 0)::bigint as r
       from counts group by bucket) by_bucket) as series`;
}

/** Windows with buckets of an hour or more (over 24 hours) read the rollup; shorter ones raw events. */
export const statementFor = (q: FiguresQuery): SQL =>
  q.bucketMs >= HOUR_MS ? rollupFiguresStatement(q) : figuresStatement(q);

/** A JSON value from the driver: parsed already (json columns), or text. */
const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

export async function readStoredFigures(db: Pick<Database, 'execute'>, q: FiguresQuery): Promise<StoredFigures> {
  const result = await db.execute(statementFor(q));
  const row = result.rows[0] as Record<string, unknown> | undefined;
  if (!row) throw new Error('the metrics statement returned no row');
  return {
    activeSessions: Number(row.active_sessions),
    activeUsers: Number(row.active_users),
    openAlerts: Number(row.open_alerts),
    eventsByType: new Map(json<Array<[string, number]>>(row.events_by_type).map(([type, n]) => [type, Number(n)])),
    series: json<Array<[number, number, number, number]>>(row.series).map(([bucket, s, f, r]) => ({
      bucket: Number(bucket),
      successfulLogins: Number(s),
      failedLogins: Number(f),
      tokenRefreshes: Number(r),
    })),
  };
}
