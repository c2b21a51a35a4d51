/**
 * A run cut off at any point resumes to the same final state: after a failure before any statement,
 * or after one whose work committed but whose answer was lost, at every position in the run; at its
 * statement budget (partial); and when Postgres itself goes away mid-run. Small batches make every
 * step take several.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inArray, sql } from 'drizzle-orm';
import { db, eventually, sleep } from '../support';
import { stackControl } from '../test-env';
import { securityEvents, securityEventsArchive, type SecurityEventRow } from '../../src/lib/storage/schema';
import {
  DAY,
  HOUR,
  ago,
  failingFrom,
  jobDeps,
  latestRun,
  runNightlyHandler,
  runNightlyJob,
  seedEvents,
  seedSession,
  seedUser,
  sessionIds,
  tokenIds,
} from './maintenance-support';
import type { Database } from '../../src/lib/storage/database';

const SMALL_BATCHES = { batches: { initialRows: 3, minRows: 3, maxRows: 3 } };

interface Seed {
  events: SecurityEventRow[];
  young: number[];
  doomedSessions: string[];
  keptSession: string;
  doomedTokens: string[];
  keptTokens: string[];
}

/** 10 old events and 2 young, 4 sessions past retention (2 tokens each), a live one with 3 expired tokens and 1 current. */
async function seed(now: number): Promise<Seed> {
  const ids = await seedEvents(Array.from({ length: 10 }, (_, i) => ago(now, (91 + i) * DAY)));
  const young = await seedEvents([ago(now, 80 * DAY), ago(now, HOUR)]);
  const events = await db
    .select()
    .from(securityEvents)
    .where(inArray(securityEvents.id, ids))
    .orderBy(securityEvents.id);
  const userId = await seedUser();
  const doomed = [];
  for (let i = 0; i < 2; i++)
    doomed.push(
      await seedSession(userId, {
        createdAt: ago(now, 20 * DAY),
        idleExpiresAt: ago(now, 3 * DAY),
        tokenExpiries: [ago(now, 3 * DAY), ago(now, 10 * DAY)],
      }),
    );
  for (let i = 0; i < 2; i++)
    doomed.push(
      await seedSession(userId, {
        createdAt: ago(now, 50 * DAY),
        idleExpiresAt: ago(now, 40 * DAY),
        revokedAt: ago(now, 45 * DAY),
        tokenExpiries: [ago(now, 40 * DAY), ago(now, 41 * DAY)],
      }),
    );
  const live = await seedSession(userId, {
    createdAt: ago(now, 9 * DAY),
    idleExpiresAt: new Date(now + 5 * DAY),
    tokenExpiries: [new Date(now + 5 * DAY), ago(now, 2 * DAY), ago(now, 4 * DAY), ago(now, 6 * DAY)],
  });
  return {
    events,
    young,
    doomedSessions: doomed.map((s) => s.id),
    keptSession: live.id,
    doomedTokens: [...doomed.flatMap((s) => s.tokens), ...live.tokens.slice(1)],
    keptTokens: live.tokens.slice(0, 1),
  };
}

/** The state a whole run leaves: every old event in the archive exactly as it was, the rest untouched. */
async function expectFinalState(s: Seed): Promise<void> {
  const ids = s.events.map((e) => e.id);
  expect(
    await db
      .select()
      .from(securityEventsArchive)
      .where(inArray(securityEventsArchive.id, ids))
      .orderBy(securityEventsArchive.id),
  ).toEqual(s.events);
  expect(
    await db
      .select({ id: securityEvents.id })
      .from(securityEvents)
      .where(inArray(securityEvents.id, [...ids, ...s.young]))
      .orderBy(securityEvents.id),
  ).toEqual(s.young.map((id) => ({ id })));
  expect(await sessionIds([...s.doomedSessions, s.keptSession])).toEqual([s.keptSession]);
  expect(await tokenIds([...s.doomedTokens, ...s.keptTokens])).toEqual(s.keptTokens);
}

describe('a nightly run cut off', () => {
  beforeAll(() => runNightlyHandler());

  for (const lost of ['before it reaches Postgres', 'after it committed (its answer lost)'] as const) {
    it(`at any statement, ${lost}, resumes to the same final state`, async () => {
      for (let failAt = 1; ; failAt++) {
        const now = Date.now();
        const s = await seed(now);
        const failing = failingFrom(failAt, { afterCommit: lost !== 'before it reaches Postgres' });
        const deps = jobDeps(SMALL_BATCHES, failing.database);
        const cut = await runNightlyJob(deps, now);
        if (cut.status === 'succeeded') {
          // Past the run's last statement: every position has been cut once.
          expect(failAt).toBeGreaterThan(15);
          await expectFinalState(s);
          break;
        }
        expect(cut.status, `failAt ${failAt}`).toBe('failed');
        expect(deps.reported).toHaveLength(1);
        if (cut.runId !== undefined) {
          const record = await latestRun();
          expect(record).toMatchObject({
            id: cut.runId,
            status: 'failed',
            leaseUntil: null,
            details: { error: expect.stringContaining('injected outage') },
          });
        }
        // The next night: past the lease of a run whose lock was taken but never answered (failAt 1, answer lost).
        const resumed = await runNightlyJob(jobDeps(SMALL_BATCHES), now + DAY);
        expect(resumed.status, `failAt ${failAt}`).toBe('succeeded');
        if (failAt === 1 && lost !== 'before it reaches Postgres')
          expect(resumed.details.interruptedRuns).toHaveLength(1);
        await expectFinalState(s);
      }
    }, 120_000);
  }

  it('at its statement budget stops as partial, and the next runs finish the work', async () => {
    const now = Date.now();
    const ids = await seedEvents(Array.from({ length: 200 }, (_, i) => ago(now, (95 + (i % 50)) * DAY)));
    const deps = jobDeps({ ...SMALL_BATCHES, budget: { statements: 50 } });
    const first = await runNightlyJob(deps, now);
    expect(first.status).toBe('partial');
    const details = first.details as {
      steps: Record<string, { rows: number; complete: boolean }>;
      budget: { spent: boolean; statements: number };
      statistics: { archiveBacklog: { rows: number } };
    };
    expect(details.budget.spent).toBe(true);
    expect(details.steps.archiveEvents).toMatchObject({ complete: false });
    const archivedFirst = details.steps.archiveEvents!.rows;
    expect(archivedFirst).toBeGreaterThan(0);
    expect(archivedFirst % 3).toBe(0);
    expect(details.statistics.archiveBacklog.rows).toBe(200 - archivedFirst);
    expect(await latestRun()).toMatchObject({ id: first.runId, status: 'partial' });

    let archived = archivedFirst;
    for (let run = 0; run < 10 && archived < 200; run++) {
      const next = await runNightlyJob(deps, now + (run + 1) * 1000);
      archived += (next.details as typeof details).steps.archiveEvents!.rows;
    }
    expect(archived).toBe(200);
    expect(
      await db
        .select({ id: securityEventsArchive.id })
        .from(securityEventsArchive)
        .where(inArray(securityEventsArchive.id, ids)),
    ).toHaveLength(200);
  });

  afterAll(() => stackControl('postgres', 'start'));

  it('when Postgres goes away mid-run records the failure once it is back, and the next run resumes', async () => {
    const now = Date.now();
    const s = await seed(now);
    let stopped = false;
    let calls = 0;
    // Postgres stops before the 8th statement and comes back a moment later, while the run is still
    // trying to write how it ended.
    const outage = new Proxy(db, {
      get(target, property, receiver) {
        if (property !== 'batch') return Reflect.get(target, property, receiver) as unknown;
        return async (queries: Parameters<Database['batch']>[0]) => {
          calls += 1;
          if (calls === 8) {
            stopped = true;
            await stackControl('postgres', 'stop');
            void sleep(1500).then(() => stackControl('postgres', 'start'));
          }
          return target.batch(queries);
        };
      },
    });
    const deps = jobDeps(SMALL_BATCHES, outage);
    const cut = await runNightlyJob(deps, now);
    expect(stopped).toBe(true);
    expect(cut.status).toBe('failed');
    await eventually(
      () =>
        db.execute(sql`select 1`).then(
          () => true,
          () => false,
        ),
      (up) => up,
      20_000,
    );
    const record = await latestRun();
    expect(record).toMatchObject({ id: cut.runId, status: 'failed', leaseUntil: null });
    const error = record.details.error as string;
    expect(error.length).toBeGreaterThan(10);
    expect(error).not.toMatch(/params:|\d{4}-\d\d-\d\dT|127\.0\.0\.1/);
    // Its progress up to the outage is in the record.
    expect(record.details.steps).toMatchObject({ expiredSessions: { complete: true } });

    const resumed = await runNightlyJob(jobDeps(SMALL_BATCHES), now + 1000);
    expect(resumed.status).toBe('succeeded');
    await expectFinalState(s);
  }, 60_000);
});
