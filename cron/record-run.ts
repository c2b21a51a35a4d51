import { eq } from 'drizzle-orm';
import { cronRuns } from '../src/lib/storage/schema';
import type { Database } from '../src/lib/storage/database';
import type { ReportError } from '../src/lib/http/error-handler';

export interface JobDeps { db: Database; report: ReportError; clock: () => Date }

/** Runs a job and leaves a row in cron_runs saying when it ran, how it ended and what it did. */
export async function recordRun(deps: JobDeps, job: string, now: Date, work: () => Promise<Record<string, unknown>>): Promise<void> {
  const [run] = await deps.db.insert(cronRuns).values({ job, startedAt: now, status: 'running' }).returning({ id: cronRuns.id });
  if (!run) throw new Error('cron_runs insert returned no row');
  try {
    const details = await work();
    await deps.db.update(cronRuns).set({ status: 'succeeded', finishedAt: deps.clock(), details }).where(eq(cronRuns.id, run.id));
  } catch (err) {
    deps.report(err, { source: 'cron', detail: job });
    const message = err instanceof Error ? err.message : String(err);
    await deps.db.update(cronRuns).set({ status: 'failed', finishedAt: deps.clock(), details: { error: message } }).where(eq(cronRuns.id, run.id));
  }
}
