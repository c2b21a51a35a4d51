/**
 * One nightly run at a time: the running run's cron_runs row is the job's lock. Two runs started
 * together do the work once (the second is recorded as skipped); a run that died holding the lock is
 * marked interrupted, with its progress kept, by the first run after its lease.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { db } from '../support';
import { cronRuns, securityEvents, securityEventsArchive } from '../../src/lib/storage/schema';
import { NIGHTLY_JOB } from '../../cron/nightly-maintenance';
import { DAY, ago, latestRun, runNightlyHandler, runsSince, seedEvents, seedRun } from './maintenance-support';

describe('the nightly run lock', () => {
  beforeAll(() => runNightlyHandler());

  it('lets two runs started together do the work once', async () => {
    const now = Date.now();
    const old = await seedEvents(Array.from({ length: 30 }, (_, i) => ago(now, (100 + i) * DAY)));
    const rows = await db
      .select()
      .from(securityEvents)
      .where(inArray(securityEvents.id, old))
      .orderBy(securityEvents.id);
    const before = (await latestRun()).id;

    await Promise.all([runNightlyHandler(now), runNightlyHandler(now)]);

    const runs = await runsSince(before);
    expect(runs.map((r) => r.status).sort()).toEqual(['skipped', 'succeeded']);
    const worker = runs.find((r) => r.status === 'succeeded')!;
    const skipped = runs.find((r) => r.status === 'skipped')!;
    expect(skipped.details).toEqual({ heldBy: worker.id });
    expect(skipped.finishedAt?.getTime()).toBe(now);
    expect((worker.details.steps as Record<string, { rows: number }>).archiveEvents?.rows).toBe(30);
    expect(
      await db
        .select()
        .from(securityEventsArchive)
        .where(inArray(securityEventsArchive.id, old))
        .orderBy(securityEventsArchive.id),
    ).toEqual(rows);
    expect(await db.select().from(securityEvents).where(inArray(securityEvents.id, old))).toEqual([]);
  });

  it('keeps later runs out while a run holds its lease, and marks the run interrupted once the lease is past', async () => {
    const now = Date.now();
    const progress = { steps: { expiredSessions: { rows: 7, batches: 1, complete: true, longestStatementMs: 3 } } };
    // What a run killed mid-way leaves: its row still running, its progress saved at the last step.
    const dead = await seedRun(NIGHTLY_JOB, ago(now, 60_000), 'running', {
      leaseUntil: new Date(now + 10 * 60_000),
      details: progress,
    });
    const old = await seedEvents([ago(now, 120 * DAY)]);

    await runNightlyHandler(now);
    const skipped = await latestRun();
    expect(skipped).toMatchObject({ status: 'skipped', details: { heldBy: dead } });
    expect(await db.select().from(securityEvents).where(inArray(securityEvents.id, old))).toHaveLength(1);

    const later = now + 11 * 60_000;
    await runNightlyHandler(later);
    const [marked] = await db.select().from(cronRuns).where(eq(cronRuns.id, dead));
    expect(marked).toMatchObject({
      status: 'interrupted',
      leaseUntil: null,
      finishedAt: null,
      details: { ...progress, interruptedFoundAt: new Date(later).toISOString() },
    });
    const next = await latestRun();
    expect(next).toMatchObject({ status: 'succeeded', details: { interruptedRuns: [dead] } });
    expect(
      await db
        .select({ id: securityEventsArchive.id })
        .from(securityEventsArchive)
        .where(inArray(securityEventsArchive.id, old)),
    ).toEqual([{ id: old[0] }]);
  });
});
