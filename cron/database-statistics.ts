/**
 * What the run reads of the database: the size and (estimated) row count of each main table, the
 * whole database's size, and the archive backlog; and ANALYZE of the tables it changed, so the
 * planner and the next estimates see the deletions at once rather than at autovacuum's leisure.
 */
import { sql } from 'drizzle-orm';
import { isStatementTimeout, type StatementRunner } from '../src/lib/maintenance/statement-runner';
import type { DatabaseStatistics, TableStatistics } from '../src/lib/maintenance/statistics';
import { archiveBacklog } from './archive-events';

/** The tables a run measures (a table not created yet is left out of the figures). */
export const MEASURED_TABLES = [
  'users',
  'sessions',
  'refresh_tokens',
  'security_events',
  'security_events_archive',
  'security_alerts',
  'alert_deliveries',
  'cron_runs',
];

export async function readStatistics(
  runner: StatementRunner,
  archiveBefore: Date,
  countCap: number,
  now: Date,
): Promise<DatabaseStatistics> {
  const tables = await runner.rows<{
    table: string;
    reltuples: number;
    live: number;
    dead: number;
    bytes: number;
    database_bytes: number;
  }>(
    'statistics',
    sql`
    select c.relname as "table", c.reltuples::float8 as reltuples, coalesce(s.n_live_tup, 0)::float8 as live,
           coalesce(s.n_dead_tup, 0)::float8 as dead, pg_total_relation_size(c.oid)::float8 as bytes,
           pg_database_size(current_database())::float8 as database_bytes
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      left join pg_stat_user_tables s on s.relid = c.oid
     where n.nspname = current_schema() and c.relkind = 'r'
       and c.relname in (${sql.join(
         MEASURED_TABLES.map((t) => sql`${t}`),
         sql`, `,
       )})
     order by c.relname`,
  );
  const [backlog] = await runner.rows<{ n: number }>('archiveBacklog', archiveBacklog(archiveBefore, countCap));
  const rows = Number(backlog?.n ?? 0);
  return {
    at: now.toISOString(),
    databaseBytes: Number(tables[0]?.database_bytes ?? 0),
    tables: tables.map((t): TableStatistics => ({
      table: t.table,
      // reltuples is -1 until the table is first analyzed or vacuumed; the statistics collector's live count stands in.
      rows: Math.round(Number(t.reltuples) >= 0 ? Number(t.reltuples) : Number(t.live)),
      deadRows: Number(t.dead),
      bytes: Number(t.bytes),
    })),
    archiveBacklog: { rows, capped: rows >= countCap },
  };
}

/**
 * ANALYZE of each given table (names from this code, never from input), one statement each. One that
 * outlasts the statement timeout is left to autovacuum and named, not allowed to fail the run.
 */
export async function analyzeTables(
  runner: StatementRunner,
  tables: string[],
): Promise<{ analyzed: string[]; timedOut: string[] }> {
  const result = { analyzed: [] as string[], timedOut: [] as string[] };
  for (const table of tables) {
    try {
      await runner.rows('analyze', sql`analyze ${sql.identifier(table)}`);
      result.analyzed.push(table);
    } catch (err) {
      if (!isStatementTimeout(err)) throw err;
      result.timedOut.push(table);
    }
  }
  return result;
}
