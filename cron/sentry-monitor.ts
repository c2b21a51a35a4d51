/** Sentry Crons check-ins for the scheduled jobs: the SDK's withMonitor, with the job's schedule. */
import * as Sentry from '@sentry/cloudflare';
import type { JobMonitor } from './job-monitor';

export const sentryMonitor: JobMonitor = (slug, schedule, work) =>
  Sentry.withMonitor(slug, work, {
    schedule: { type: 'crontab', value: schedule.cron },
    checkinMargin: schedule.checkinMarginMinutes,
    maxRuntime: schedule.maxRuntimeMinutes,
    timezone: 'Etc/UTC',
  });
