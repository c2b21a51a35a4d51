/**
 * The nightly maintenance needs Redis only to drain the event outbox: with Redis out of reach the
 * drain's failure is reported and recorded, and the database work is done all the same.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { inArray } from 'drizzle-orm';
import { db, redisBack } from '../support';
import { stackControl } from '../test-env';
import { securityEventsArchive } from '../../src/lib/storage/schema';
import { DAY, ago, jobDeps, latestRun, runNightlyJob, seedEvents } from './maintenance-support';

describe('the nightly run with Redis down', () => {
  afterAll(async () => {
    await stackControl('redis', 'start');
    await redisBack();
  });

  it('records that the outbox could not be drained, and does the rest', async () => {
    const now = Date.now();
    const old = await seedEvents([ago(now, 120 * DAY), ago(now, 130 * DAY)]);
    await stackControl('redis', 'stop');
    const deps = jobDeps();
    const outcome = await runNightlyJob(deps, now);
    expect(outcome.status).toBe('succeeded');
    expect(outcome.details.outbox).toEqual({ error: expect.any(String) });
    expect(deps.reported.length).toBeGreaterThanOrEqual(1);
    expect(await latestRun()).toMatchObject({
      id: outcome.runId,
      status: 'succeeded',
      details: { outbox: { error: expect.any(String) } },
    });
    expect(
      await db
        .select({ id: securityEventsArchive.id })
        .from(securityEventsArchive)
        .where(inArray(securityEventsArchive.id, old)),
    ).toHaveLength(2);
  }, 60_000);
});
