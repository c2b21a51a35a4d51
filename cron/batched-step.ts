/**
 * Runs one kind of bounded batch until nothing is left or the run's budget is spent. Each batch is one
 * statement that does its whole work (a delete, or a copy and a delete) atomically, so a run cut off
 * anywhere leaves every row either done or untouched; every batch skips rows another run has locked
 * (SKIP LOCKED), so overlapping runs share the work instead of doing it twice.
 */
import type { SQL } from 'drizzle-orm';
import { nextBatchSize, sizeAfterTimeout, type BatchSettings } from '../src/lib/maintenance/batch-size';
import { isStatementTimeout, type StatementRunner } from '../src/lib/maintenance/statement-runner';
import type { RunBudget } from '../src/lib/maintenance/run-budget';
import type { Clock } from '../src/lib/clock';

export interface StepReport {
  /** Rows the step dealt with (deleted, or moved to the archive). */
  rows: number;
  batches: number;
  /** False when the budget ran out first: the rest waits for the next run. */
  complete: boolean;
  longestStatementMs: number;
  /** The step's wall time, retried batches included. */
  ms: number;
  /** Batches Postgres cancelled at the statement timeout and that were retried smaller. */
  timeouts?: number;
}

export interface StepContext {
  runner: StatementRunner;
  budget: RunBudget;
  clock: Clock;
  batches: BatchSettings & { initialRows: number };
}

/** `batch(limit)` is one statement that handles at most `limit` rows and answers `[{ n }]`, how many it did. */
export async function runBatches(ctx: StepContext, name: string, batch: (limit: number) => SQL): Promise<StepReport> {
  const report: StepReport = { rows: 0, batches: 0, complete: false, longestStatementMs: 0, ms: 0 };
  const stepStarted = ctx.clock().getTime();
  let size = ctx.batches.initialRows;
  while (!ctx.budget.spent()) {
    const started = ctx.clock().getTime();
    let done: number;
    try {
      const [row] = await ctx.runner.rows<{ n: number }>(name, batch(size));
      done = Number(row?.n ?? 0);
    } catch (err) {
      const smaller = isStatementTimeout(err) ? sizeAfterTimeout(size, ctx.batches) : undefined;
      if (smaller === undefined) throw err;
      report.timeouts = (report.timeouts ?? 0) + 1;
      size = smaller;
      continue;
    }
    const ms = ctx.clock().getTime() - started;
    report.rows += done;
    report.batches += 1;
    report.longestStatementMs = Math.max(report.longestStatementMs, ms);
    if (done < size) {
      report.complete = true;
      break;
    }
    size = nextBatchSize(size, ms, ctx.batches);
  }
  report.ms = ctx.clock().getTime() - stepStarted;
  return report;
}
