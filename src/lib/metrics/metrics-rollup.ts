/**
 * The metrics' rollup: security events counted per UTC hour and type, and each user's last sign-in or
 * refresh, so the week's and the month's metrics read a few thousand rows instead of every event of
 * the window (docs/metrics.md, "The rollup"). Kept by the five-minute cron (refreshMetricsRollup);
 * read by metrics-store.ts for windows whose buckets are an hour or more.
 *
 * Exact, not approximate: for the hours the state row says are covered, the counts are what the raw
 * events give. Events arrive late in two ways, and both are counted again:
 * - a request's events are written after its response (seconds later): every refresh counts the last
 *   LATE_HOURS again;
 * - events that waited in the Redis outbox (Postgres was down) are stored by the drain, which marks
 *   the oldest of them in `dirty_from` (markLateEvents, in the same transaction as their insert); the
 *   next refresh counts again from there.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../storage/database';
import type { Clock } from '../clock';
import { ACTIVE_USER_TYPES } from './metric-definitions';

const HOUR_MS = 3_600_000;
export const ROLLUP_NAME = 'events';

export interface RollupSettings {
  /** How far back each refresh counts again, for events written after their request's response. */
  lateMs: number;
  /** How much a rollup built from nothing covers: the longest window (30 days) and a day. */
  backfillMs: number;
  /** Hours counted per transaction: each statement stays well under Neon's 15 s. */
  chunkMs: number;
  /** A run stops starting chunks after this (a five-minute Cron Trigger has 30 s of CPU). */
  budgetMs: number;
}

export const ROLLUP_SETTINGS: RollupSettings = {
  lateMs: 2 * HOUR_MS,
  backfillMs: 31 * 24 * HOUR_MS,
  chunkMs: 24 * HOUR_MS,
  budgetMs: 20_000,
};

export interface RollupState {
  coveredFrom: Date;
  coveredTo: Date;
  dirtyFrom: Date | null;
  dirtyVersion: number;
}

export interface RefreshPlan {
  /** Count the hours [from, to) again. */
  from: Date;
  to: Date;
  /** Start the coverage afresh at `from` (no rollup yet, or one that no longer fits the clock). */
  rebuild: boolean;
  /** Whether the plan counts the late events marked in the state (so a refresh may clear the mark). */
  coversDirty: boolean;
}

export const floorHour = (at: Date) => new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
export const ceilHour = (at: Date) => new Date(Math.ceil(at.getTime() / HOUR_MS) * HOUR_MS);

/** Which hours a refresh at `now` counts. Pure. */
export function planRefresh(
  state: RollupState | undefined,
  now: Date,
  settings: RollupSettings = ROLLUP_SETTINGS,
): RefreshPlan {
  const to = floorHour(now);
  const fresh = new Date(to.getTime() - settings.backfillMs);
  // A state ahead of the clock, or so old that its end is before a fresh rollup's start: begin again.
  if (!state || state.coveredTo > to || state.coveredTo < fresh)
    return { from: fresh, to, rebuild: true, coversDirty: state?.dirtyFrom != null };
  let from = new Date(Math.max(state.coveredTo.getTime() - settings.lateMs, state.coveredFrom.getTime()));
  if (state.dirtyFrom)
    from = new Date(
      Math.max(Math.min(from.getTime(), floorHour(state.dirtyFrom).getTime()), state.coveredFrom.getTime()),
    );
  return { from, to, rebuild: false, coversDirty: state.dirtyFrom != null };
}

/** `('a', 'b')` from this module's constant type list (never input). */
const ACTIVE_LIST = sql.raw(`(${ACTIVE_USER_TYPES.map((t) => `'${t}'`).join(', ')})`);
const EPOCH = sql.raw(`timestamptz '1970-01-01 00:00:00+00'`);
/** A folded row (event-folding.ts) stands for metadata.count events. */
export const EVENT_WEIGHT = sql.raw(
  `case when metadata ? 'foldReason' then coalesce((metadata->>'count')::int, 1) else 1 end`,
);

/** The statements that count [a, b) again, as one transaction. */
function chunkStatements(a: Date, b: Date, coveredFrom: Date, rebuild: boolean): SQL[] {
  // Chunks of two refreshes at once take turns: each then replaces the other's counts with its own,
  // where two deletes followed by two inserts would collide on the primary key.
  const statements: SQL[] = [sql`select pg_advisory_xact_lock(hashtext('metrics_rollup'))`];
  // A rebuild after the clock went back: activity "after" now would hide a user's real activity.
  if (rebuild) statements.push(sql`delete from metrics_user_activity where last_active_at >= ${a}`);
  statements.push(
    sql`delete from security_event_counts_hourly where hour >= ${a} and hour < ${b}`,
    sql`insert into security_event_counts_hourly (hour, event_type, count)
  select date_bin('1 hour'::interval, created_at, ${EPOCH}), event_type, sum(${EVENT_WEIGHT})
    from security_events where created_at >= ${a} and created_at < ${b} group by 1, 2`,
    sql`insert into metrics_user_activity (user_id, last_active_at)
  select user_id, max(created_at) from security_events
   where event_type in ${ACTIVE_LIST} and user_id is not null and created_at >= ${a} and created_at < ${b}
   group by user_id
  on conflict (user_id) do update set last_active_at = greatest(metrics_user_activity.last_active_at, excluded.last_active_at)`,
    rebuild
      ? sql`insert into metrics_rollup_state (name, covered_from, covered_to) values (${ROLLUP_NAME}, ${coveredFrom}, ${b})
  on conflict (name) do update set covered_from = excluded.covered_from, covered_to = excluded.covered_to`
      : sql`update metrics_rollup_state set covered_to = greatest(covered_to, ${b}) where name = ${ROLLUP_NAME}`,
  );
  return statements;
}

export async function readRollupState(db: Pick<Database, 'execute'>): Promise<RollupState | undefined> {
  const { rows } = await db.execute(
    sql`select covered_from, covered_to, dirty_from, dirty_version from metrics_rollup_state where name = ${ROLLUP_NAME}`,
  );
  const row = rows[0] as Record<string, unknown> | undefined;
  if (!row) return undefined;
  const at = (v: unknown) => (v instanceof Date ? v : new Date(String(v)));
  return {
    coveredFrom: at(row.covered_from),
    coveredTo: at(row.covered_to),
    dirtyFrom: row.dirty_from == null ? null : at(row.dirty_from),
    dirtyVersion: Number(row.dirty_version),
  };
}

export interface RollupRefresh {
  from: string;
  to: string;
  /** Whether the rollup was started afresh. */
  rebuilt: boolean;
  /** Hours counted in this run. */
  hours: number;
  /** `partial`: the run's budget ended before `to`; the next run goes on. */
  status: 'succeeded' | 'partial';
}

/**
 * Counts the hours the plan for `now` says (`clock` measures the run's budget), a chunk per transaction, oldest first: the coverage only ever grows
 * by whole counted chunks, so a run cut off anywhere leaves a state that is exact for what it covers.
 * The late-events mark is cleared in the last chunk's transaction only if no late write came since it
 * was read (dirty_version unchanged); otherwise the next run counts those hours again. Safe to run
 * twice or at once: each chunk, under a transaction-scoped advisory lock, replaces its hours' counts
 * with a fresh count.
 */
export async function refreshMetricsRollup(
  db: Database,
  now: Date,
  clock: Clock,
  settings: RollupSettings = ROLLUP_SETTINGS,
): Promise<RollupRefresh> {
  const started = clock();
  const state = await readRollupState(db);
  const plan = planRefresh(state, now, settings);
  let hours = 0;
  for (let a = plan.from.getTime(); a < plan.to.getTime(); a += settings.chunkMs) {
    if (clock().getTime() - started.getTime() > settings.budgetMs) {
      return {
        from: plan.from.toISOString(),
        to: new Date(a).toISOString(),
        rebuilt: plan.rebuild,
        hours,
        status: 'partial',
      };
    }
    const b = Math.min(a + settings.chunkMs, plan.to.getTime());
    const statements = chunkStatements(new Date(a), new Date(b), plan.from, plan.rebuild && a === plan.from.getTime());
    if (b === plan.to.getTime() && plan.coversDirty && state) {
      statements.push(
        sql`update metrics_rollup_state set dirty_from = null where name = ${ROLLUP_NAME} and dirty_version = ${state.dirtyVersion}`,
      );
    }
    const [first, ...rest] = statements.map((s) => db.execute(s));
    await db.batch([first!, ...rest]);
    hours += (b - a) / HOUR_MS;
  }
  return {
    from: plan.from.toISOString(),
    to: plan.to.toISOString(),
    rebuilt: plan.rebuild,
    hours,
    status: 'succeeded',
  };
}

/**
 * The statement that marks events stored late (oldest at `oldest`) for the next refresh, run in the
 * transaction that stores them. Events at or after the coverage's end need no mark: the refresh
 * reaches them anyway.
 */
export function markLateEvents(db: Database, oldest: Date) {
  return db.execute(sql`update metrics_rollup_state
   set dirty_from = least(coalesce(dirty_from, ${oldest}), ${oldest}), dirty_version = dirty_version + 1
 where name = ${ROLLUP_NAME} and covered_to > ${oldest}`);
}
