/**
 * The database's figures as a run records them, how much each table grew since the previous run, and
 * which of them cross a configured threshold: pure decisions over numbers the cron reads
 * (cron/database-statistics.ts).
 */
import type { MaintenanceConfig } from './maintenance-config';
import { DAY_MS } from './maintenance-config';

export interface TableStatistics {
  table: string;
  /** Planner estimate (pg_class.reltuples, fresh after the run's ANALYZE): exact counts would be slow. */
  rows: number;
  /** Dead row versions not yet vacuumed (pg_stat_user_tables.n_dead_tup): bloat to watch. */
  deadRows: number;
  /** Table, indexes and TOAST together (pg_total_relation_size). */
  bytes: number;
}

export interface DatabaseStatistics {
  /** When they were read (ISO-8601). */
  at: string;
  databaseBytes: number;
  tables: TableStatistics[];
  /** Security events past the archive cut-off still in the live table, counted up to `capped`. */
  archiveBacklog: { rows: number; capped: boolean };
}

export interface TableGrowth {
  table: string;
  rows: number;
  bytes: number;
  bytesPerDay: number;
}

/**
 * Growth of each table since `previous`. A window shorter than a day counts as a day, so two runs
 * minutes apart (a retry, a manual run) never project a burst into a daily rate.
 */
export function growthSince(current: DatabaseStatistics, previous: DatabaseStatistics | undefined): TableGrowth[] {
  if (!previous) return [];
  const days = Math.max(1, (Date.parse(current.at) - Date.parse(previous.at)) / DAY_MS);
  const before = new Map(previous.tables.map((t) => [t.table, t]));
  return current.tables.flatMap((t) => {
    const old = before.get(t.table);
    if (!old) return [];
    const bytes = t.bytes - old.bytes;
    return [{ table: t.table, rows: t.rows - old.rows, bytes, bytesPerDay: Math.round(bytes / days) }];
  });
}

export type ThresholdCheck = 'table_size' | 'database_size' | 'table_growth' | 'archive_backlog';

export interface Breach {
  check: ThresholdCheck;
  subject: string;
  value: number;
  threshold: number;
}

/** Every figure over its threshold (a threshold of 0 is off). */
export function thresholdBreaches(
  stats: DatabaseStatistics,
  growth: TableGrowth[],
  thresholds: MaintenanceConfig['thresholds'],
): Breach[] {
  const breaches: Breach[] = [];
  const over = (check: ThresholdCheck, subject: string, value: number, limit: number) => {
    if (limit > 0 && value > limit) breaches.push({ check, subject, value, threshold: limit });
  };
  over('database_size', 'database', stats.databaseBytes, thresholds.databaseBytes);
  for (const t of stats.tables) over('table_size', t.table, t.bytes, thresholds.tableBytes);
  for (const g of growth) over('table_growth', g.table, g.bytesPerDay, thresholds.growthBytesPerDay);
  over('archive_backlog', 'security_events', stats.archiveBacklog.rows, thresholds.archiveBacklogRows);
  return breaches;
}
