/**
 * The jobs as `npm run maintenance` and `npm run bench:maintenance` run them from Node: the same code
 * the Cron Trigger runs, with deps built from settings the script read (this file reads no
 * environment), no cron monitor, and errors to the console (scrubbed). Bundled by
 * scripts/maintenance/load-jobs.ts.
 */
import { createDatabase } from '../src/lib/storage/database';
import { createRedis } from '../src/lib/storage/redis';
import { systemClock } from '../src/lib/clock';
import { maintenanceConfigSchema } from '../src/lib/maintenance/maintenance-config';
import { runError } from '../src/lib/maintenance/run-error';
import { JOBS, runJob, type ScheduledDeps } from './run-scheduled';
import { nightlyMaintenance, NIGHTLY_JOB } from './nightly-maintenance';
import { noMonitor } from './job-monitor';
import type { RunOutcome } from './record-run';

export { formatReport } from './maintenance-report';

export interface CommandLineSettings {
  databaseUrl: string;
  /** The Neon bridge's /sql URL locally; undefined for Neon itself. */
  neonFetchEndpoint?: string | undefined;
  redisUrl: string;
  redisToken: string;
  /** MAINTENANCE_CONFIG's value (JSON text, or an object); validated as the Worker validates it. */
  config: unknown;
  job: string;
  dryRun: boolean;
  now: Date;
}

export const JOB_NAMES = JOBS.map((j) => j.name);

export async function runMaintenanceOnce(
  settings: CommandLineSettings,
): Promise<RunOutcome & { job: string; dryRun: boolean }> {
  const job = JOBS.find((j) => j.name === settings.job);
  if (!job) throw new Error(`no job named ${settings.job} (jobs: ${JOB_NAMES.join(', ')})`);
  const parsed = maintenanceConfigSchema.safeParse(
    typeof settings.config === 'string' ? JSON.parse(settings.config || '{}') : settings.config,
  );
  if (!parsed.success)
    throw new Error(
      `MAINTENANCE_CONFIG: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const deps: ScheduledDeps = {
    db: createDatabase({ url: settings.databaseUrl, fetchEndpoint: settings.neonFetchEndpoint }),
    redis: createRedis({ url: settings.redisUrl, token: settings.redisToken }),
    clock: systemClock,
    report: (err, context) => console.error(`[error] ${context.source} ${context.detail}: ${runError(err)}`),
    maintenance: parsed.data,
    monitor: noMonitor,
  };
  if (!settings.dryRun) return { ...(await runJob(deps, job, settings.now)), job: job.name, dryRun: false };
  if (job.name !== NIGHTLY_JOB) throw new Error(`--dry-run is for ${NIGHTLY_JOB} only`);
  const { status, details } = await nightlyMaintenance({ ...deps, config: deps.maintenance }, settings.now, {
    dryRun: true,
  });
  return { status, details: { ...details }, job: job.name, dryRun: true };
}
