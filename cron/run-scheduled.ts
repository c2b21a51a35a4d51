/**
 * The Cron Trigger's dispatcher: which jobs run for which cron expression. Jobs are domain functions
 * of (deps, now); this file only picks them and records each run.
 */
import { cleanupExpiredTokens } from './cleanup-expired-tokens';
import { recordRun, type JobDeps } from './record-run';

export const NIGHTLY = '0 2 * * *';

export async function runScheduledJobs(deps: JobDeps, cron: string, now: Date): Promise<void> {
  if (cron !== NIGHTLY) {
    console.warn(`[cron] no job for "${cron}"`);
    return;
  }
  await recordRun(deps, 'nightly-cleanup', now, () => cleanupExpiredTokens(deps.db, now));
}
