/**
 * A scheduled job's check-ins with a cron monitor (Sentry's, in the Worker: sentry-monitor.ts): in
 * progress when it starts, then ok or error, with its schedule, so a run that fails, runs too long or
 * never happens alerts someone.
 */
export interface MonitorSchedule {
  /** The cron expression the job runs on (UTC). */
  cron: string;
  /** How late a check-in may be before the run counts as missed. */
  checkinMarginMinutes: number;
  /** How long a run may take before it counts as failed. */
  maxRuntimeMinutes: number;
}

/** Runs `work` between two check-ins: ok when it resolves, error when it rejects (the rejection passes on). */
export type JobMonitor = <T>(slug: string, schedule: MonitorSchedule, work: () => Promise<T>) => Promise<T>;

/** No monitor (the command line, or no Sentry DSN). */
export const noMonitor: JobMonitor = (_slug, _schedule, work) => work();
