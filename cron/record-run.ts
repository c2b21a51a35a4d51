/**
 * Runs a job under its lock and leaves its record in cron_runs: when it ran, how it ended, what it
 * did (and, if it failed, a scrubbed error: no statement parameters, emails or IPs). Never throws: the
 * outcome says what happened, for the cron monitor and the caller.
 */
import type { Database } from '../src/lib/storage/database';
import type { ReportError } from '../src/lib/http/error-handler';
import type { Clock } from '../src/lib/clock';
import type { CronRunStatus } from '../src/lib/storage/schema';
import { claimRun, finishRun, saveProgress, type Claim } from '../src/lib/maintenance/run-history';
import { runError } from '../src/lib/maintenance/run-error';

export interface JobDeps {
  db: Database;
  report: ReportError;
  clock: Clock;
}

export interface JobResult {
  status: 'succeeded' | 'partial';
  details: object;
}

export interface RunHandle {
  id: number;
  /** Saves the details so far (they stay in the record if the run never gets to finish). */
  checkpoint: (details: object) => Promise<void>;
}

export interface RunOutcome {
  status: Exclude<CronRunStatus, 'running'>;
  /** Undefined when not even the run's record could be written. */
  runId?: number;
  details: Record<string, unknown>;
  /** What ended a failed run (already reported). */
  error?: unknown;
}

/**
 * Waits between attempts to write a run's end while its database is unreachable (about 15 s in all).
 * If Postgres stays away longer, the record stays `running` and the next run marks it `interrupted`.
 */
const FINISH_RETRIES_MS = [500, 1000, 2000, 4000, 8000];

export async function recordRun(
  deps: JobDeps,
  job: string,
  now: Date,
  leaseMs: number,
  work: (run: RunHandle) => Promise<JobResult>,
): Promise<RunOutcome> {
  const clockAtStart = deps.clock().getTime();
  // Times in the record follow the scheduled time the run was given, advanced by the clock.
  const at = () => new Date(now.getTime() + (deps.clock().getTime() - clockAtStart));
  let claim: Claim;
  try {
    claim = await claimRun(deps.db, job, now, new Date(now.getTime() + leaseMs));
  } catch (err) {
    deps.report(err, { source: 'cron', detail: job });
    return { status: 'failed', details: { error: runError(err) }, error: err };
  }
  if (claim.kind === 'held') return { status: 'skipped', runId: claim.id, details: { heldBy: claim.heldBy } };

  const id = claim.id;
  const base: Record<string, unknown> = claim.interrupted.length > 0 ? { interruptedRuns: claim.interrupted } : {};
  let progress = base;
  const checkpoint = async (details: object) => {
    progress = { ...base, ...details };
    await saveProgress(deps.db, id, progress);
  };
  let outcome: RunOutcome;
  try {
    const result = await work({ id, checkpoint });
    outcome = { status: result.status, runId: id, details: { ...base, ...result.details } };
  } catch (err) {
    deps.report(err, { source: 'cron', detail: job });
    outcome = { status: 'failed', runId: id, details: { ...progress, error: runError(err) }, error: err };
  }
  await finishWithRetries(deps, id, outcome, at);
  return outcome;
}

async function finishWithRetries(deps: JobDeps, id: number, outcome: RunOutcome, at: () => Date): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await finishRun(deps.db, id, outcome.status, outcome.details, at());
      return;
    } catch (err) {
      const wait = FINISH_RETRIES_MS[attempt];
      if (wait === undefined) {
        console.error(
          `[cron] run ${id} ended ${outcome.status} but its record could not be written (${runError(err)}); the next run will mark it interrupted`,
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
