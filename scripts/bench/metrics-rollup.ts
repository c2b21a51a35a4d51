/**
 * What a rollup would do for the metrics' long windows, measured on the bench's seeded data in
 * throwaway tables (bench_*, dropped afterwards; the schema is not changed). Two tables:
 *
 * - `bench_event_counts_hourly (hour, event_type, n)`: events per type per UTC hour (folded rows
 *   counting their metadata.count). Windows with buckets of an hour or more (over 24h) read whole hours
 *   from it and only the two partial hours at the window's edges from security_events.
 * - `bench_user_activity (user_id, last_active_at)`: each user's last sign-in or refresh, indexed, so
 *   activeUsers is a count of index entries instead of a distinct over the window's events.
 *
 * Prints Postgres's execution time of the route's statement and of the rollup's, per window, and what
 * keeping the tables costs: the incremental refresh of the last two hours (what a cron run every 5
 * minutes would do) and the one-row upsert a sign-in or refresh would add.
 */
import type pg from 'pg';
import { median, percentile } from './bridge-stats.ts';

const HOUR_MS = 3_600_000;
const WEIGHT = `case when metadata ? 'foldReason' then coalesce((metadata->>'count')::int, 1) else 1 end`;
const ACTIVE = `('login_success', 'oauth_success', 'signup_success', 'token_refreshed')`;

/** The same outputs as the route's statement (src/lib/metrics/metrics-store.ts), from the rollup. */
const ROLLUP_STATEMENT = `with counts as (
  select event_type, date_bin($1::interval, hour, timestamptz '1970-01-01 00:00:00+00') as bucket, sum(n) as n
    from bench_event_counts_hourly
   where hour >= $4 and hour < $5
   group by event_type, bucket
  union all
  select event_type, date_bin($1::interval, created_at, timestamptz '1970-01-01 00:00:00+00') as bucket, sum(${WEIGHT}) as n
    from security_events
   where (created_at >= $2 and created_at < $4) or (created_at >= $5 and created_at <= $3)
   group by event_type, bucket
)
select
  (select count(*) from sessions where revoked_at is null and idle_expires_at > $3)::int as active_sessions,
  (select count(*) from bench_user_activity where last_active_at >= $2 and last_active_at <= $3)::int as active_users,
  (select count(*) from security_alerts where status = 'open')::int as open_alerts,
  (select coalesce(json_agg(json_build_array(event_type, n)), '[]') from (
     select event_type, sum(n)::bigint as n from counts group by event_type) by_type) as events_by_type,
  (select coalesce(json_agg(json_build_array((extract(epoch from bucket) * 1000)::bigint, s, f, r)), '[]') from (
     select bucket,
            coalesce(sum(n) filter (where event_type in ('login_success', 'oauth_success', 'signup_success')), 0)::bigint as s,
            coalesce(sum(n) filter (where event_type in ('login_failed', 'failed_login_attempt', 'oauth_failed')), 0)::bigint as f,
            coalesce(sum(n) filter (where event_type in ('token_refreshed')), 0)::bigint as r
       from counts group by bucket) by_bucket) as series`;

/** Postgres's own execution times of a statement (EXPLAIN ANALYZE without per-node timing), in ms. */
export async function executionTimes(client: pg.Client, sql: string, params: unknown[], runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { rows } = await client.query(`explain (analyze, timing off, format json) ${sql}`, params);
    times.push((rows[0]['QUERY PLAN'] as Array<{ 'Execution Time': number }>)[0]!['Execution Time']);
  }
  return times;
}

export interface RollupFigures {
  windows: Array<{ label: string; raw: { median: number; p95: number }; rollup: { median: number; p95: number }; same: boolean }>;
  refreshMs: number;
  upsertMs: number;
  rows: number;
}

/**
 * Builds the two tables from the seeded events, checks that the rollup statement answers the same
 * figures as the route's, and times both. `statementFor` gives the route's statement for a window.
 */
export async function measureRollup(
  client: pg.Client,
  windows: Array<{ label: string; ms: number; bucketMs: number }>,
  statementFor: (windowMs: number, now: Date) => { sql: string; params: unknown[] },
  runs: number,
): Promise<RollupFigures> {
  await client.query(`create table bench_event_counts_hourly (hour timestamptz not null, event_type text not null, n bigint not null, primary key (hour, event_type))`);
  await client.query(`insert into bench_event_counts_hourly
    select date_trunc('hour', created_at), event_type, sum(${WEIGHT}) from security_events group by 1, 2`);
  await client.query(`create table bench_user_activity (user_id uuid primary key, last_active_at timestamptz not null)`);
  await client.query(`insert into bench_user_activity
    select user_id, max(created_at) from security_events where event_type in ${ACTIVE} and user_id is not null group by user_id`);
  await client.query('create index on bench_user_activity (last_active_at)');
  await client.query('vacuum analyze bench_event_counts_hourly, bench_user_activity');
  const rows = (await client.query<{ n: number }>('select count(*)::int as n from bench_event_counts_hourly')).rows[0]!.n;
  try {
    const results: RollupFigures['windows'] = [];
    for (const w of windows) {
      const now = new Date();
      const route = statementFor(w.ms, now);
      const since = new Date(now.getTime() - w.ms);
      const firstWhole = new Date(Math.ceil(since.getTime() / HOUR_MS) * HOUR_MS);
      const lastPartial = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
      const rollupParams = [`${w.bucketMs / 1000} seconds`, since, now, firstWhole, lastPartial];
      const [a, b] = await Promise.all([client.query(route.sql, route.params), client.query(ROLLUP_STATEMENT, rollupParams)]);
      const raw = await executionTimes(client, route.sql, route.params, runs);
      const rolled = await executionTimes(client, ROLLUP_STATEMENT, rollupParams, runs);
      results.push({
        label: w.label,
        raw: { median: median(raw), p95: percentile(raw, 95) },
        rollup: { median: median(rolled), p95: percentile(rolled, 95) },
        same: sameFigures(a.rows[0], b.rows[0]),
      });
    }
    // A cron run every 5 minutes would recompute the current and the previous hour (late events from
    // the Redis outbox land within the drain's 5 minutes).
    const refresh = await executionTimes(client, `insert into bench_event_counts_hourly
      select date_trunc('hour', created_at), event_type, sum(${WEIGHT}) from security_events
       where created_at >= date_trunc('hour', now()) - interval '1 hour' group by 1, 2
      on conflict (hour, event_type) do update set n = excluded.n`, [], 10);
    const upserts: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      await client.query(`insert into bench_user_activity values (md5('bench-user-' || $1::int)::uuid, now())
        on conflict (user_id) do update set last_active_at = excluded.last_active_at`, [1 + (i % 1000)]);
      upserts.push(performance.now() - started);
    }
    return { windows: results, refreshMs: median(refresh), upsertMs: median(upserts), rows };
  } finally {
    await client.query('drop table bench_event_counts_hourly, bench_user_activity');
  }
}

/** The same figures, whatever the order of the JSON arrays. */
function sameFigures(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  if (!a || !b) return false;
  const sorted = (v: unknown) => JSON.stringify((v as unknown[][]).map((x) => JSON.stringify(x)).sort());
  return a.active_sessions === b.active_sessions && a.active_users === b.active_users && a.open_alerts === b.open_alerts
    && sorted(a.events_by_type) === sorted(b.events_by_type) && sorted(a.series) === sorted(b.series);
}
