/**
 * Retention: every kind of row that stops mattering after a while, deleted in bounded batches once it
 * is older than its configured number of days. Each target says what "old" means for its table (one
 * condition, served by an index) and the run deletes oldest first.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { MaintenanceConfig } from '../src/lib/maintenance/maintenance-config';
import { DAY_MS } from '../src/lib/maintenance/maintenance-config';
import type { StatementRunner } from '../src/lib/maintenance/statement-runner';
import { SESSION_TARGETS } from './cleanup-sessions';
import { runBatches, type StepContext, type StepReport } from './batched-step';

export interface RetentionTarget {
  /** The step's name in the run record. */
  name: string;
  table: string;
  /** The primary key, by which a batch's rows are deleted. */
  key: string;
  keptDays: (retention: MaintenanceConfig['retention']) => number;
  /** The rows past retention, given the cut-off. */
  where: (before: Date) => SQL;
  /** The column the batches go through, oldest first (indexed with `where`). */
  oldestFirst: SQL;
  /** A table another part of the service may not have created yet: skipped until it exists. */
  optional?: { column: string };
}

export const RETENTION_TARGETS: RetentionTarget[] = [
  ...SESSION_TARGETS,
  {
    name: 'resolvedAlerts',
    table: 'security_alerts',
    key: 'id',
    // Counted from the alert's last detection (an alert has no resolution time yet).
    keptDays: (r) => r.resolvedAlertDays,
    where: (before) => sql`status = 'resolved' and last_seen < ${before}`,
    oldestFirst: sql`last_seen`,
  },
  {
    // The alert-delivery attempt log (webhook delivery, the dashboard issue), once it exists.
    name: 'alertDeliveries',
    table: 'alert_deliveries',
    key: 'id',
    keptDays: (r) => r.alertDeliveryDays,
    where: (before) => sql`created_at < ${before}`,
    oldestFirst: sql`created_at`,
    optional: { column: 'created_at' },
  },
  {
    // A running job's row is its lock: never deleted here, however old (the next run marks it interrupted first).
    name: 'cronRuns',
    table: 'cron_runs',
    key: 'id',
    keptDays: (r) => r.cronRunDays,
    where: (before) => sql`started_at < ${before} and status <> 'running'`,
    oldestFirst: sql`started_at`,
  },
];

export const cutoffOf = (target: RetentionTarget, retention: MaintenanceConfig['retention'], now: Date) =>
  new Date(now.getTime() - target.keptDays(retention) * DAY_MS);

/** One batch: at most `limit` rows past retention, oldest first, skipping rows another run holds. */
export function deleteBatch(target: RetentionTarget, before: Date, limit: number): SQL {
  const table = sql.identifier(target.table);
  const key = sql.identifier(target.key);
  return sql`
    with doomed as (
      select ${key} from ${table} where ${target.where(before)}
       order by ${target.oldestFirst} limit ${limit} for update skip locked
    ), gone as (
      delete from ${table} t using doomed d where t.${key} = d.${key} returning 1
    )
    select count(*)::int as n from gone`;
}

/** How many rows are past retention, counted up to `cap` (a dry run's answer). */
export function candidates(target: RetentionTarget, before: Date, cap: number): SQL {
  return sql`select count(*)::int as n from (select 1 from ${sql.identifier(target.table)} where ${target.where(before)} limit ${cap}) c`;
}

/** True when an optional target's table (with its time column) exists. */
export async function targetPresent(runner: StatementRunner, target: RetentionTarget): Promise<boolean> {
  if (!target.optional) return true;
  const [row] = await runner.rows<{ present: boolean }>(
    `${target.name}-present`,
    sql`
    select exists (
      select 1 from information_schema.columns
       where table_schema = current_schema() and table_name = ${target.table} and column_name = ${target.optional.column}
    ) as present`,
  );
  return row?.present === true;
}

export type RetentionReport = StepReport | { skipped: 'no such table' };

export async function applyRetention(
  ctx: StepContext,
  target: RetentionTarget,
  before: Date,
): Promise<RetentionReport> {
  if (!(await targetPresent(ctx.runner, target))) return { skipped: 'no such table' };
  return runBatches(ctx, target.name, (limit) => deleteBatch(target, before, limit));
}
