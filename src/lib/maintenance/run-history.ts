/**
 * The cron_runs table: every scheduled run's record, and the lock that keeps two runs of one job
 * apart. The row of a running job holds the lock (a unique partial index allows one `running` row per
 * job) until its `lease_until`; a run that finds one past its lease marks it `interrupted` (killed
 * mid-way, or cut off from its database before it could say how it ended) and takes the lock itself.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { cronRuns, type CronRunRow, type CronRunStatus } from '../storage/schema';
import type { Database } from '../storage/database';
import type { DatabaseStatistics } from './statistics';

export type RunDatabase = Pick<Database, 'batch' | 'execute' | 'select' | 'update'>;

export type Claim =
  { kind: 'claimed'; id: number; interrupted: number[] } | { kind: 'held'; id: number; heldBy: number | null };

const ids = (rows: Record<string, unknown>[]) => rows.map((r) => Number(r.id));

/**
 * Takes the job's lock as a new `running` row, after marking the job's runs past their lease as
 * interrupted, in one transaction. When a live run holds the lock, records this one as `skipped`.
 */
export async function claimRun(db: RunDatabase, job: string, now: Date, leaseUntil: Date): Promise<Claim> {
  const [stale, claimed] = await db.batch([
    db.execute(sql`
      update cron_runs
         set status = 'interrupted', lease_until = null,
             details = details || jsonb_build_object('interruptedFoundAt', ${now.toISOString()}::text)
       where job = ${job} and status = 'running' and coalesce(lease_until, '-infinity') < ${now}
      returning id`),
    db.execute(sql`
      insert into cron_runs (job, started_at, status, lease_until) values (${job}, ${now}, 'running', ${leaseUntil})
      on conflict (job) where status = 'running' do nothing
      returning id`),
  ]);
  const [id] = ids(claimed.rows);
  if (id !== undefined) return { kind: 'claimed', id, interrupted: ids(stale.rows) };
  const skipped = await db.execute(sql`
    insert into cron_runs (job, started_at, finished_at, status, details)
    select ${job}, ${now}, ${now}, 'skipped', jsonb_build_object('heldBy', (select id from cron_runs where job = ${job} and status = 'running' limit 1))
    returning id, details`);
  const row = skipped.rows[0] as { id: unknown; details: { heldBy: number | null } };
  return { kind: 'held', id: Number(row.id), heldBy: row.details.heldBy };
}

/** Saves the run's progress so far: what a killed run leaves behind for the next one to show. */
export async function saveProgress(db: RunDatabase, id: number, details: Record<string, unknown>): Promise<void> {
  await db.update(cronRuns).set({ details }).where(eq(cronRuns.id, id));
}

/** Ends the run (releasing the lock). Overwrites an `interrupted` mark: the run's own word is truer. */
export async function finishRun(
  db: RunDatabase,
  id: number,
  status: Exclude<CronRunStatus, 'running'>,
  details: Record<string, unknown>,
  at: Date,
): Promise<void> {
  await db.update(cronRuns).set({ status, details, finishedAt: at, leaseUntil: null }).where(eq(cronRuns.id, id));
}

/** Recent runs, newest first, of one job or of all. */
export function recentRuns(
  db: RunDatabase,
  filter: { job?: string | undefined; limit: number },
): Promise<CronRunRow[]> {
  return db
    .select()
    .from(cronRuns)
    .where(filter.job === undefined ? undefined : eq(cronRuns.job, filter.job))
    .orderBy(desc(cronRuns.startedAt), desc(cronRuns.id))
    .limit(filter.limit);
}

/** The statistics the job's latest finished run recorded, for growth since then. */
export async function previousStatistics(
  db: RunDatabase,
  job: string,
  beforeRun: number,
): Promise<DatabaseStatistics | undefined> {
  const [row] = await db
    .select({ details: cronRuns.details })
    .from(cronRuns)
    .where(
      and(
        eq(cronRuns.job, job),
        sql`${cronRuns.id} <> ${beforeRun}`,
        sql`${cronRuns.status} in ('succeeded', 'partial')`,
        sql`${cronRuns.details} -> 'statistics' is not null`,
      ),
    )
    .orderBy(desc(cronRuns.startedAt))
    .limit(1);
  return row?.details.statistics as DatabaseStatistics | undefined;
}
