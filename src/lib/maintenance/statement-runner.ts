/**
 * How the maintenance talks to Postgres: one statement per round trip, each under a statement timeout
 * (`SET LOCAL` in the same one-request transaction, so it costs no extra subrequest), counted against
 * the run's budget and timed, so a run can say its longest statement. Over Neon's HTTP endpoint a
 * session setting would not outlive its request; `SET LOCAL` is the only timeout that holds.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../storage/database';
import type { Clock } from '../clock';
import type { RunBudget } from './run-budget';

export type MaintenanceDatabase = Pick<Database, 'batch' | 'execute'>;

export interface StatementRunner {
  /** Runs one statement and answers its rows; `name` (the step) labels it in the longest-statement figure. */
  rows<T extends Record<string, unknown>>(name: string, query: SQL): Promise<T[]>;
  /** The longest statement so far (ms) and the name it was run under. */
  readonly longest: { ms: number; name: string };
}

export function statementRunner(
  db: MaintenanceDatabase,
  settings: { statementTimeoutMs: number },
  budget: RunBudget,
  clock: Clock,
): StatementRunner {
  const timeout = sql.raw(`set local statement_timeout = ${Math.floor(settings.statementTimeoutMs)}`);
  const longest = { ms: 0, name: '' };
  return {
    longest,
    async rows<T extends Record<string, unknown>>(name: string, query: SQL) {
      budget.count();
      const started = clock().getTime();
      try {
        const [, result] = await db.batch([db.execute(timeout), db.execute<T>(query)]);
        return result.rows;
      } finally {
        // A cancelled statement counts too: it is the one that ran longest.
        const ms = clock().getTime() - started;
        if (ms > longest.ms) Object.assign(longest, { ms, name });
      }
    },
  };
}

/** Postgres cancelled the statement at its statement timeout (SQLSTATE 57014): nothing of it applied. */
export function isStatementTimeout(err: unknown): boolean {
  for (
    let e: unknown = err, depth = 0;
    e instanceof Error && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    if ((e as { code?: unknown }).code === '57014') return true;
  }
  return false;
}
