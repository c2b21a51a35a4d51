/**
 * The Cron Trigger's dispatcher: which job runs for which cron expression. Jobs are domain functions
 * of (deps, now); this file only picks one, runs it under its lock and record (record-run.ts), and
 * between its monitor's check-ins (job-monitor.ts).
 */
import { deliverDue, type Alerting } from '../src/lib/alerts/alert-delivery';
import { resolveQuietAlerts } from '../src/lib/alerts/alert-store';
import { UNPOSTED_ALERTS } from '../src/lib/alerts/alert-policy';
import type { Redis } from '../src/lib/storage/redis';
import type { SecurityEvent } from '../src/lib/events/event-types';
import type { MaintenanceConfig } from '../src/lib/maintenance/maintenance-config';
import { drainEventOutbox } from './drain-event-outbox';
import { recordRun, type JobDeps, type JobResult, type RunHandle, type RunOutcome } from './record-run';
import { NIGHTLY_JOB, nightlyMaintenance } from './nightly-maintenance';
import type { JobMonitor, MonitorSchedule } from './job-monitor';
import { refreshMetricsRollup } from '../src/lib/metrics/metrics-rollup';

export const NIGHTLY = '0 2 * * *';
export const EVERY_FIVE_MINUTES = '*/5 * * * *';

export interface ScheduledDeps extends JobDeps {
  redis: Redis;
  signal?: (event: SecurityEvent) => void;
  maintenance: MaintenanceConfig;
  monitor: JobMonitor;
  /** Alert policy and webhook; without it alerts are raised and resolved but never posted. */
  alerting?: Alerting | undefined;
}

export interface ScheduledJob {
  name: string;
  schedule: MonitorSchedule;
  /** How long a run holds the job's lock: past it, the next run takes the run for dead. */
  leaseMs: (deps: ScheduledDeps) => number;
  run: (deps: ScheduledDeps, now: Date, run: RunHandle) => Promise<JobResult>;
}

/** Room after the nightly's budget for its statistics, its events and the retried write of its end. */
const NIGHTLY_LEASE_MARGIN_MS = 120_000;

export const NIGHTLY_MAINTENANCE: ScheduledJob = {
  name: NIGHTLY_JOB,
  // A daily Cron Trigger may run 15 minutes.
  schedule: { cron: NIGHTLY, checkinMarginMinutes: 10, maxRuntimeMinutes: 15 },
  leaseMs: (deps) => deps.maintenance.budget.seconds * 1000 + NIGHTLY_LEASE_MARGIN_MS,
  run: (deps, now, run) =>
    nightlyMaintenance({ ...deps, config: deps.maintenance }, now, { runId: run.id, checkpoint: run.checkpoint }),
};

export const DRAIN_EVENT_OUTBOX: ScheduledJob = {
  name: 'drain-event-outbox',
  // Its Redis lock lasts 120 s; a run that fires more often than hourly gets 30 s of CPU.
  schedule: { cron: EVERY_FIVE_MINUTES, checkinMarginMinutes: 2, maxRuntimeMinutes: 3 },
  leaseMs: () => 180_000,
  run: async (deps) => {
    const drained = await drainEventOutbox(deps.db, deps.redis, deps.report, deps.alerting?.policy);
    if (drained.drained + drained.deadLettered > 0)
      console.log(
        `[cron] drained ${drained.drained} security events from the outbox (${drained.deadLettered} dead-lettered)`,
      );
    return { status: 'succeeded', details: drained };
  },
};

/** After the drain, in the same trigger: the events it stored late are then counted in this run. */
export const REFRESH_METRICS_ROLLUP: ScheduledJob = {
  name: 'refresh-metrics-rollup',
  schedule: { cron: EVERY_FIVE_MINUTES, checkinMarginMinutes: 2, maxRuntimeMinutes: 3 },
  leaseMs: () => 180_000,
  run: async (deps, now) => {
    const refreshed = await refreshMetricsRollup(deps.db, now, deps.clock);
    return { status: refreshed.status, details: { ...refreshed } };
  },
};

/**
 * After the drain, in the same trigger: alerts quiet for their period resolve themselves, and the
 * webhook posts due are sent (retries, posts the drain queued, posts whose raising request died).
 */
export const DELIVER_ALERTS: ScheduledJob = {
  name: 'deliver-alerts',
  schedule: { cron: EVERY_FIVE_MINUTES, checkinMarginMinutes: 2, maxRuntimeMinutes: 3 },
  leaseMs: () => 180_000,
  run: async (deps, now) => {
    const autoResolved = await resolveQuietAlerts(deps.db, deps.alerting?.policy ?? UNPOSTED_ALERTS, now);
    const posts = deps.alerting ? await deliverDue(deps.alerting.delivery) : { attempted: 0, pending: 0 };
    return { status: 'succeeded', details: { autoResolved: autoResolved.length, ...posts } };
  },
};

/** Every scheduled job, in the order a trigger runs those of its cron expression. */
export const JOBS: readonly ScheduledJob[] = [
  NIGHTLY_MAINTENANCE,
  DRAIN_EVENT_OUTBOX,
  REFRESH_METRICS_ROLLUP,
  DELIVER_ALERTS,
];

/** Makes the monitor's check-in say error; the error itself was reported and recorded already. */
class RunFailed extends Error {}

/**
 * Runs the jobs of this cron expression one after the other, each under its own lock, record and
 * monitor (one failing does not stop the next); none for an unknown expression. Never throws.
 */
export async function runScheduledJobs(deps: ScheduledDeps, cron: string, now: Date): Promise<RunOutcome[]> {
  const jobs = JOBS.filter((job) => job.schedule.cron === cron);
  if (jobs.length === 0) console.warn(`[cron] no job for "${cron}"`);
  const outcomes: RunOutcome[] = [];
  for (const job of jobs) outcomes.push(await runJob(deps, job, now));
  return outcomes;
}

export async function runJob(deps: ScheduledDeps, job: ScheduledJob, now: Date): Promise<RunOutcome> {
  let outcome: RunOutcome | undefined;
  try {
    await deps.monitor(job.name, job.schedule, async () => {
      outcome = await recordRun(deps, job.name, now, job.leaseMs(deps), (run) => job.run(deps, now, run));
      if (outcome.status === 'failed') throw new RunFailed(`${job.name} failed`);
    });
  } catch (err) {
    if (!(err instanceof RunFailed)) deps.report(err, { source: 'cron', detail: `${job.name} monitor` });
  }
  return outcome ?? { status: 'failed', details: { error: 'the cron monitor failed before the run started' } };
}
