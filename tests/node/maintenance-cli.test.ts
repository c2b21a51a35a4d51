/**
 * `npm run maintenance` runs the Cron Trigger's own code in Node: scripts/maintenance/load-jobs.ts
 * bundles cron/command-line.ts and describes what it uses of it. The scripts are type-checked as
 * Node ESM, where cron's extensionless imports do not resolve, so the description is restated there;
 * this file (type-checked with the Workers code) holds the two to one shape, and runs the bundle.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CommandLineSettings, runMaintenanceOnce } from '../../cron/command-line';
import {
  loadJobs,
  type CommandLineSettings as ScriptSettings,
  type MaintenanceJobs,
} from '../../scripts/maintenance/load-jobs.ts';
import { stackProfile, workerBindings } from '../../scripts/stack/profile.ts';

describe('npm run maintenance: the scripts see the cron code as it is', () => {
  it('the settings the script passes are the settings the job takes', () => {
    expectTypeOf<ScriptSettings>().toEqualTypeOf<CommandLineSettings>();
    expectTypeOf<Parameters<MaintenanceJobs['runMaintenanceOnce']>>().toEqualTypeOf<
      Parameters<typeof runMaintenanceOnce>
    >();
    // What the script reads of an outcome, the job gives (the script's view is narrower, so one way).
    expectTypeOf<Awaited<ReturnType<typeof runMaintenanceOnce>>['status']>().toEqualTypeOf<
      Awaited<ReturnType<MaintenanceJobs['runMaintenanceOnce']>>['status']
    >();
  });

  it('the bundled job runs a dry run against the test stack and changes nothing', async () => {
    const local = workerBindings(stackProfile('test'));
    const jobs = await loadJobs();
    expect(jobs.JOB_NAMES).toEqual(expect.arrayContaining(['nightly-maintenance', 'drain-event-outbox']));
    const outcome = await jobs.runMaintenanceOnce({
      databaseUrl: local.DATABASE_URL!,
      neonFetchEndpoint: local.NEON_FETCH_ENDPOINT,
      redisUrl: local.UPSTASH_REDIS_REST_URL!,
      redisToken: local.UPSTASH_REDIS_REST_TOKEN!,
      config: '{}',
      job: 'nightly-maintenance',
      dryRun: true,
      now: new Date(),
    });
    expect(outcome).toMatchObject({ job: 'nightly-maintenance', dryRun: true });
    expect(['succeeded', 'skipped']).toContain(outcome.status);
    expect(jobs.formatReport(outcome)).toMatch(/nightly-maintenance/);
  }, 60_000);
});
