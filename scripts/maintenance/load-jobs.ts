/**
 * Loads the scheduled jobs (cron/command-line.ts, the Cron Trigger's own code) into Node: bundled
 * with esbuild, since that code imports without file extensions as Workers bundles do, with its
 * packages left to node_modules. The shape below is what the scripts use of it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { repoRoot } from '../stack/profile.ts';

export interface CommandLineSettings {
  databaseUrl: string;
  neonFetchEndpoint?: string | undefined;
  redisUrl: string;
  redisToken: string;
  config: unknown;
  job: string;
  dryRun: boolean;
  now: Date;
}

export interface StepFigures {
  rows: number;
  batches: number;
  complete: boolean;
  longestStatementMs: number;
  ms: number;
  timeouts?: number;
}

export interface JobOutcome {
  status: 'succeeded' | 'partial' | 'failed' | 'interrupted' | 'skipped';
  runId?: number;
  job: string;
  dryRun: boolean;
  details: Record<string, unknown> & {
    steps?: Record<string, StepFigures | { wouldTake: number; capped: boolean } | { skipped: string }>;
    budget?: { elapsedMs: number; statements: number; spent: boolean };
    longestStatement?: { ms: number; name: string };
    statistics?: {
      archiveBacklog: { rows: number; capped: boolean };
      tables: Array<{ table: string; rows: number; bytes: number }>;
    };
  };
}

export interface MaintenanceJobs {
  JOB_NAMES: string[];
  runMaintenanceOnce(settings: CommandLineSettings): Promise<JobOutcome>;
  formatReport(outcome: JobOutcome): string;
}

export async function loadJobs(): Promise<MaintenanceJobs> {
  const outdir = join(repoRoot, 'node_modules', '.cache', 'edge-auth');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, 'maintenance-jobs.mjs');
  await build({
    entryPoints: [join(repoRoot, 'cron', 'command-line.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    packages: 'external',
    logLevel: 'error',
  });
  return (await import(pathToFileURL(outfile).href)) as MaintenanceJobs;
}
