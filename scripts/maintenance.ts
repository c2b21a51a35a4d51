/**
 * `npm run maintenance [-- --dry-run] [--job nightly-maintenance|drain-event-outbox] [--json]`
 * Runs a scheduled job once, now, against the configured database: DATABASE_URL (with
 * NEON_FETCH_ENDPOINT locally; unset for Neon itself) and UPSTASH_REDIS_REST_URL/TOKEN when set,
 * otherwise the local dev stack's. MAINTENANCE_CONFIG as the Worker reads it. The run takes the same
 * lock and leaves the same cron_runs record as the Cron Trigger's; `--dry-run` changes nothing and
 * says what a run would do. Prints the run's report (`--json`: its details as recorded).
 */
import { parseArgs } from 'node:util';
import { stackProfile, workerBindings } from './stack/profile.ts';
import { loadJobs } from './maintenance/load-jobs.ts';

const { values } = parseArgs({
  options: {
    'dry-run': { type: 'boolean', default: false },
    job: { type: 'string', default: 'nightly-maintenance' },
    json: { type: 'boolean', default: false },
  },
});

const local = workerBindings(stackProfile('dev'));
const env = process.env;
if (env.DATABASE_URL && !(env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN)) {
  console.error(
    'with DATABASE_URL set, set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN too (the run drains the event outbox there)',
  );
  process.exit(2);
}
const settings = {
  databaseUrl: env.DATABASE_URL || local.DATABASE_URL!,
  // Locally the Neon bridge; for a DATABASE_URL of your own, Neon's endpoint unless NEON_FETCH_ENDPOINT says otherwise.
  neonFetchEndpoint: env.DATABASE_URL ? env.NEON_FETCH_ENDPOINT || undefined : local.NEON_FETCH_ENDPOINT,
  redisUrl: env.UPSTASH_REDIS_REST_URL || local.UPSTASH_REDIS_REST_URL!,
  redisToken: env.UPSTASH_REDIS_REST_TOKEN || local.UPSTASH_REDIS_REST_TOKEN!,
  config: env.MAINTENANCE_CONFIG ?? '{}',
  job: values.job!,
  dryRun: values['dry-run']!,
  now: new Date(),
};

const jobs = await loadJobs();
if (!jobs.JOB_NAMES.includes(settings.job)) {
  console.error(`usage: npm run maintenance -- [--dry-run] [--job ${jobs.JOB_NAMES.join('|')}] [--json]`);
  process.exit(2);
}
try {
  const outcome = await jobs.runMaintenanceOnce(settings);
  console.log(values.json ? JSON.stringify(outcome, null, 2) : jobs.formatReport(outcome));
  if (outcome.status === 'failed') {
    if (!env.DATABASE_URL) console.error('Locally, start the database with npm run dev or npm run stack:start.');
    process.exitCode = 1;
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
