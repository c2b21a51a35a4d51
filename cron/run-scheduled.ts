/**
 * The Cron Trigger's dispatcher: which jobs run for which cron expression. Jobs are domain functions
 * of (deps, now); this file only picks them and records each run.
 */
import type { Redis } from '../src/lib/storage/redis';
import { cleanupSessions } from './cleanup-sessions';
import { drainEventOutbox } from './drain-event-outbox';
import { recordRun, type JobDeps } from './record-run';
import { writeEvents } from '../src/lib/events/event-log';
import type { SecurityEvent } from '../src/lib/events/event-types';

const cleanupEvent = (deleted: { sessionsDeleted: number; expiredTokensDeleted: number }, at: Date): SecurityEvent => ({
  type: 'token_cleanup', severity: 'info', userId: null, tokenId: null, ip: null, userAgent: null, country: null,
  metadata: { ...deleted }, at,
});

export const NIGHTLY = '0 2 * * *';
export const EVERY_FIVE_MINUTES = '*/5 * * * *';

export async function runScheduledJobs(deps: JobDeps & { redis: Redis }, cron: string, now: Date): Promise<void> {
  if (cron === NIGHTLY) {
    await recordRun(deps, 'nightly-cleanup', now, async () => {
      const deleted = await cleanupSessions(deps.db, now);
      await writeEvents({ db: deps.db, redis: deps.redis, report: deps.report }, [cleanupEvent(deleted, now)]);
      return { ...deleted, ...(await drainEventOutbox(deps.db, deps.redis, deps.report)) };
    });
  } else if (cron === EVERY_FIVE_MINUTES) {
    // Not recorded in cron_runs: 288 rows a day saying "nothing to drain" would bury the nightly record.
    const { drained, deadLettered } = await drainEventOutbox(deps.db, deps.redis, deps.report);
    if (drained + deadLettered > 0) console.log(`[cron] drained ${drained} security events from the outbox (${deadLettered} dead-lettered)`);
  } else {
    console.warn(`[cron] no job for "${cron}"`);
  }
}
