/**
 * The nightly maintenance, as one domain function of (deps, now): drain the event outbox, apply every
 * retention, archive old security events, ANALYZE what changed, read the database's figures, raise an
 * alert for each one over its threshold, and record a token_cleanup event. Every deletion and the
 * archival run in bounded batches under one budget (time and statements); when it is spent the run
 * stops cleanly as `partial` and the next night goes on from where this one stopped.
 * cron/record-run.ts keeps its record; a dry run (`npm run maintenance -- --dry-run`) changes nothing
 * and says what a run would do.
 */
import { deliverNow, type Alerting } from '../src/lib/alerts/alert-delivery';
import type { Database } from '../src/lib/storage/database';
import type { Redis } from '../src/lib/storage/redis';
import type { Clock } from '../src/lib/clock';
import type { ReportError } from '../src/lib/http/error-handler';
import type { SecurityEvent } from '../src/lib/events/event-types';
import { OUTBOX_KEY, writeEvents } from '../src/lib/events/event-log';
import { DAY_MS, type MaintenanceConfig } from '../src/lib/maintenance/maintenance-config';
import { runBudget } from '../src/lib/maintenance/run-budget';
import { statementRunner, type StatementRunner } from '../src/lib/maintenance/statement-runner';
import {
  growthSince,
  thresholdBreaches,
  type Breach,
  type DatabaseStatistics,
  type TableGrowth,
} from '../src/lib/maintenance/statistics';
import { previousStatistics } from '../src/lib/maintenance/run-history';
import { runError } from '../src/lib/maintenance/run-error';
import { drainEventOutbox } from './drain-event-outbox';
import {
  RETENTION_TARGETS,
  applyRetention,
  candidates,
  cutoffOf,
  targetPresent,
  type RetentionTarget,
} from './retention';
import { archiveBacklog, archiveEvents } from './archive-events';
import { analyzeTables, readStatistics } from './database-statistics';
import type { StepContext, StepReport } from './batched-step';

export const NIGHTLY_JOB = 'nightly-maintenance';

export interface MaintenanceDeps {
  db: Database;
  redis: Pick<Redis, 'lrange' | 'ltrim' | 'set' | 'eval' | 'rpush' | 'llen'>;
  report: ReportError;
  /** High and critical events (the threshold alerts) to Sentry, as the auth flows send theirs. */
  signal?: (event: SecurityEvent) => void;
  clock: Clock;
  config: MaintenanceConfig;
  /** The threshold alerts are posted like the security alerts; without it they are kept, not posted. */
  alerting?: Alerting | undefined;
}

export interface NightlyOptions {
  /** This run's cron_runs row: growth is measured against the run before it. */
  runId?: number;
  /** Count what would be done; change nothing. */
  dryRun?: boolean;
  /** Saves the details so far after each step: a run killed mid-way leaves its progress behind. */
  checkpoint?: (details: NightlyDetails) => Promise<void>;
}

/** A dry run's answer for a step: how many rows it would take, counted up to the configured cap. */
export interface DryRunCount {
  wouldTake: number;
  capped: boolean;
}

export type StepOutcome = StepReport | DryRunCount | { skipped: 'no such table' };

export interface NightlyDetails {
  dryRun?: true;
  outbox?: { drained: number; deadLettered: number; skipped?: 'locked' } | { waiting: number } | { error: string };
  steps: Record<string, StepOutcome>;
  analyzed?: { analyzed: string[]; timedOut: string[] };
  statistics?: DatabaseStatistics;
  growth?: TableGrowth[];
  alerts?: Breach[];
  budget?: { elapsedMs: number; statements: number; spent: boolean };
  longestStatement?: { ms: number; name: string };
}

export async function nightlyMaintenance(
  deps: MaintenanceDeps,
  now: Date,
  options: NightlyOptions = {},
): Promise<{ status: 'succeeded' | 'partial'; details: NightlyDetails }> {
  const { config } = deps;
  const budget = runBudget(config.budget, deps.clock);
  const runner = statementRunner(deps.db, config.batches, budget, deps.clock);
  const ctx: StepContext = { runner, budget, clock: deps.clock, batches: config.batches };
  const details: NightlyDetails = options.dryRun ? { dryRun: true, steps: {} } : { steps: {} };
  const save = async () => {
    details.budget = { elapsedMs: budget.elapsedMs(), statements: budget.statements, spent: budget.spent() };
    details.longestStatement = { ...runner.longest };
    await options.checkpoint?.(details);
  };

  details.outbox = await outboxStep(deps, options.dryRun === true);

  for (const target of RETENTION_TARGETS) {
    const before = cutoffOf(target, config.retention, now);
    details.steps[target.name] = options.dryRun
      ? await wouldDelete(runner, target, before, config.countCap)
      : await applyRetention(ctx, target, before);
    await save();
  }

  const archiveBefore = new Date(now.getTime() - config.archive.afterDays * DAY_MS);
  details.steps.archiveEvents = options.dryRun
    ? counted(
        await runner.rows<{ n: number }>('archiveEvents', archiveBacklog(archiveBefore, config.countCap)),
        config.countCap,
      )
    : await archiveEvents(ctx, archiveBefore);
  await save();

  if (!options.dryRun) details.analyzed = await analyzeTables(runner, changedTables(details.steps));
  const statistics = await readStatistics(runner, archiveBefore, config.countCap, now);
  details.statistics = statistics;
  details.growth = growthSince(statistics, await previousStatistics(deps.db, NIGHTLY_JOB, options.runId ?? 0));
  details.alerts = thresholdBreaches(statistics, details.growth, config.thresholds);
  await save();

  if (!options.dryRun) {
    const events = [
      cleanupEvent(details, options.runId, now),
      ...details.alerts.map((b) => thresholdEvent(b, config.alertSeverity, now)),
    ];
    const posts: Promise<void>[] = [];
    const { alerting } = deps;
    await writeEvents(
      {
        db: deps.db,
        redis: deps.redis,
        report: deps.report,
        signal: deps.signal,
        ...(alerting && {
          alerts: { policy: alerting.policy, deliver: (ids) => void posts.push(deliverNow(alerting.delivery, ids)) },
        }),
      },
      events,
    );
    // Within the run: a scheduled handler's work ends with it.
    await Promise.all(posts);
  }
  return { status: allComplete(details.steps) ? 'succeeded' : 'partial', details };
}

/**
 * The outbox drain (the five-minute job does it too). Redis out of reach must not stop the database
 * work, which needs only Postgres: the failure is reported and recorded, and the run goes on.
 */
async function outboxStep(deps: MaintenanceDeps, dryRun: boolean): Promise<NonNullable<NightlyDetails['outbox']>> {
  try {
    return dryRun
      ? { waiting: await deps.redis.llen(OUTBOX_KEY) }
      : await drainEventOutbox(deps.db, deps.redis, deps.report, deps.alerting?.policy);
  } catch (err) {
    deps.report(err, { source: 'cron', detail: `${NIGHTLY_JOB} outbox` });
    return { error: runError(err) };
  }
}

async function wouldDelete(
  runner: StatementRunner,
  target: RetentionTarget,
  before: Date,
  cap: number,
): Promise<StepOutcome> {
  if (!(await targetPresent(runner, target))) return { skipped: 'no such table' };
  return counted(await runner.rows<{ n: number }>(target.name, candidates(target, before, cap)), cap);
}

function counted(rows: { n: number }[], cap: number): DryRunCount {
  const n = Number(rows[0]?.n ?? 0);
  return { wouldTake: n, capped: n >= cap };
}

const STEP_TABLES: Record<string, string[]> = {
  ...Object.fromEntries(RETENTION_TARGETS.map((t) => [t.name, [t.table]])),
  archiveEvents: ['security_events', 'security_events_archive'],
};

/** The tables a step deleted from or wrote to, for ANALYZE. */
function changedTables(steps: NightlyDetails['steps']): string[] {
  const changed = new Set<string>();
  for (const [name, step] of Object.entries(steps)) {
    if ('rows' in step && step.rows > 0) for (const table of STEP_TABLES[name] ?? []) changed.add(table);
  }
  return [...changed];
}

/** True unless a step stopped at the budget with work left (skipped and dry-run steps count as complete). */
const allComplete = (steps: NightlyDetails['steps']) =>
  Object.values(steps).every((step) => !('complete' in step) || step.complete);

const rowsOf = (step: StepOutcome | undefined) => (step && 'rows' in step ? step.rows : 0);

/** The contract's token_cleanup event: what the run deleted and archived (counts only). */
function cleanupEvent(details: NightlyDetails, runId: number | undefined, at: Date): SecurityEvent {
  const s = details.steps;
  return {
    type: 'token_cleanup',
    severity: 'info',
    userId: null,
    tokenId: null,
    ip: null,
    userAgent: null,
    country: null,
    at,
    metadata: {
      runId: runId ?? null,
      sessionsDeleted: rowsOf(s.expiredSessions) + rowsOf(s.revokedSessions),
      expiredTokensDeleted: rowsOf(s.expiredTokens),
      eventsArchived: rowsOf(s.archiveEvents),
      complete: allComplete(s),
    },
  };
}

/** One alert per check and subject (it folds while open: a table over its size every night counts up). */
function thresholdEvent(breach: Breach, severity: SecurityEvent['severity'], at: Date): SecurityEvent {
  return {
    type: 'maintenance_threshold_exceeded',
    severity,
    userId: null,
    tokenId: null,
    ip: null,
    userAgent: null,
    country: null,
    at,
    metadata: { ...breach },
    alert: true,
    alertSubject: `${breach.check}:${breach.subject}`,
  };
}
