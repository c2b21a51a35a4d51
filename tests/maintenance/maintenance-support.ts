/**
 * Seeding and running for the maintenance tests: rows of chosen ages in the real tables, the nightly
 * run through the Worker's own scheduled handler, or through the job with a config of the test's own
 * (the handler reads MAINTENANCE_CONFIG once per isolate), and the records runs leave in cron_runs.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { desc, eq, inArray, sql } from 'drizzle-orm';
import worker from '../../src/functions/auth/index';
import { testEnv } from '../test-env';
import { db } from '../support';
import {
  cronRuns,
  refreshTokens,
  securityAlerts,
  securityEvents,
  sessions,
  users,
  type CronRunRow,
} from '../../src/lib/storage/schema';
import { createRedis } from '../../src/lib/storage/redis';
import { systemClock } from '../../src/lib/clock';
import { maintenanceConfigSchema } from '../../src/lib/maintenance/maintenance-config';
import type { Database } from '../../src/lib/storage/database';
import { NIGHTLY, NIGHTLY_MAINTENANCE, runJob, type ScheduledDeps } from '../../cron/run-scheduled';
import { NIGHTLY_JOB } from '../../cron/nightly-maintenance';
import { noMonitor } from '../../cron/job-monitor';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const ago = (now: number, ms: number) => new Date(now - ms);

/** The nightly run as Cloudflare starts it: the Worker's scheduled handler, awaited to the end. */
export async function runNightlyHandler(scheduledTime = Date.now(), env: object = testEnv): Promise<void> {
  const controller = createScheduledController({ cron: NIGHTLY, scheduledTime });
  const ctx = createExecutionContext();
  await worker.scheduled!(controller, env as typeof testEnv, ctx);
  await waitOnExecutionContext(ctx);
}

/** What the jobs need, with a MAINTENANCE_CONFIG of the test's own and, optionally, a database wrapped to fail. */
export function jobDeps(config: unknown = {}, database: Database = db): ScheduledDeps & { reported: unknown[] } {
  const reported: unknown[] = [];
  return {
    db: database,
    clock: systemClock,
    monitor: noMonitor,
    reported,
    redis: createRedis({ url: testEnv.UPSTASH_REDIS_REST_URL, token: testEnv.UPSTASH_REDIS_REST_TOKEN }),
    report: (err) => {
      reported.push(err);
    },
    maintenance: maintenanceConfigSchema.parse(config),
  };
}

/** The nightly job with these deps (the same code the handler runs), answering its outcome. */
export const runNightlyJob = (deps: ScheduledDeps, now = Date.now()) =>
  runJob(deps, NIGHTLY_MAINTENANCE, new Date(now));

/**
 * The database, failing the way an outage mid-run would: every statement from the `failAt`-th on
 * (counting the maintenance's statements, which go through `batch`) throws, before it reaches
 * Postgres or, with `afterCommit`, after Postgres did its work (the answer lost on the way back).
 */
export function failingFrom(
  failAt: number,
  options: { afterCommit?: boolean } = {},
): { database: Database; statements: () => number } {
  let count = 0;
  const database = new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'batch') return Reflect.get(target, property, receiver) as unknown;
      return async (queries: Parameters<Database['batch']>[0]) => {
        count += 1;
        if (count < failAt) return target.batch(queries);
        if (options.afterCommit) await target.batch(queries);
        throw new TypeError('fetch failed: injected outage');
      };
    },
  });
  return { database, statements: () => count };
}

export async function latestRun(job = NIGHTLY_JOB): Promise<CronRunRow> {
  const [run] = await db.select().from(cronRuns).where(eq(cronRuns.job, job)).orderBy(desc(cronRuns.id)).limit(1);
  if (!run) throw new Error(`no ${job} run recorded`);
  return run;
}

export const runsSince = (id: number, job = NIGHTLY_JOB) =>
  db
    .select()
    .from(cronRuns)
    .where(sql`${cronRuns.job} = ${job} and ${cronRuns.id} > ${id}`)
    .orderBy(cronRuns.id);

// --- seeding ---

export async function seedUser(): Promise<string> {
  const [user] = await db
    .insert(users)
    .values({ email: `maintenance-${crypto.randomUUID()}@example.com`, name: 'Maintenance', passwordHash: null })
    .returning({ id: users.id });
  return user!.id;
}

/** A session and its tokens: `idleExpiresAt` and `revokedAt` decide what retention makes of it. */
export async function seedSession(
  userId: string,
  s: { createdAt: Date; idleExpiresAt: Date; revokedAt?: Date; tokenExpiries: Date[] },
): Promise<{ id: string; tokens: string[] }> {
  const id = crypto.randomUUID();
  await db.insert(sessions).values({
    id,
    userId,
    createdAt: s.createdAt,
    lastUsedAt: s.createdAt,
    expiresAt: s.idleExpiresAt,
    idleExpiresAt: s.idleExpiresAt,
    revokedAt: s.revokedAt ?? null,
    revokedReason: s.revokedAt ? 'logout' : null,
    deviceName: 'seeded',
  });
  const tokens = s.tokenExpiries.map((expiresAt) => ({
    id: crypto.randomUUID(),
    tokenHash: crypto.randomUUID() + crypto.randomUUID(),
    sessionId: id,
    createdAt: s.createdAt,
    expiresAt,
  }));
  if (tokens.length > 0) await db.insert(refreshTokens).values(tokens);
  return { id, tokens: tokens.map((t) => t.id) };
}

/** Security events at these times (a marker in metadata, user agent and IP to find them by). */
export async function seedEvents(times: Date[], marker = crypto.randomUUID()): Promise<number[]> {
  const rows = await db
    .insert(securityEvents)
    .values(
      times.map((createdAt, i) => ({
        eventType: i % 2 ? 'login_success' : 'failed_login_attempt',
        severity: i % 2 ? 'info' : 'warning',
        userId: crypto.randomUUID(),
        tokenId: null,
        ipAddress: `198.51.100.${(i % 250) + 1}`,
        userAgent: `seed ${marker}`,
        country: 'NL',
        metadata: { marker, i, nested: { kept: true } },
        createdAt,
      })),
    )
    .returning({ id: securityEvents.id });
  return rows.map((r) => r.id);
}

export async function seedAlert(status: 'open' | 'acknowledged' | 'resolved', lastSeen: Date): Promise<string> {
  const [alert] = await db
    .insert(securityAlerts)
    .values({
      type: 'brute_force_detected',
      severity: 'high',
      subject: `seed-${crypto.randomUUID()}`,
      userId: null,
      ip: null,
      count: 1,
      firstSeen: lastSeen,
      lastSeen,
      status,
    })
    .returning({ id: securityAlerts.id });
  return alert!.id;
}

export async function seedRun(
  job: string,
  startedAt: Date,
  status: 'succeeded' | 'failed' | 'running',
  extra: { leaseUntil?: Date; details?: Record<string, unknown> } = {},
): Promise<number> {
  const [run] = await db
    .insert(cronRuns)
    .values({
      job,
      startedAt,
      status,
      finishedAt: status === 'running' ? null : startedAt,
      details: extra.details ?? {},
      leaseUntil: extra.leaseUntil ?? null,
    })
    .returning({ id: cronRuns.id });
  return run!.id;
}

export const idsIn = async <T extends { id: unknown }>(rows: Promise<T[]>) => (await rows).map((r) => r.id).sort();

export const sessionIds = (ids: string[]) =>
  idsIn(db.select({ id: sessions.id }).from(sessions).where(inArray(sessions.id, ids)));
export const tokenIds = (ids: string[]) =>
  idsIn(db.select({ id: refreshTokens.id }).from(refreshTokens).where(inArray(refreshTokens.id, ids)));
