/**
 * The metrics rollup (src/lib/metrics/metrics-rollup.ts) answers exactly what the raw events answer:
 * for the week's and the month's windows the rollup statement and the raw statement must agree on
 * every figure, on the whole shared database (whatever other files left in it), after a rebuild from
 * nothing, after a run cut off by its budget, after two refreshes at once, and after events stored late
 * by the outbox drain (counted again once the drain has marked them).
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { db } from '../support';
import { testEnv } from '../test-env';
import { securityEvents, users } from '../../src/lib/storage/schema';
import { createRedis } from '../../src/lib/storage/redis';
import { OUTBOX_KEY } from '../../src/lib/events/event-log';
import { figuresStatement, rollupFiguresStatement, type FiguresQuery } from '../../src/lib/metrics/metrics-store';
import {
  floorHour,
  readRollupState,
  refreshMetricsRollup,
  ROLLUP_SETTINGS,
} from '../../src/lib/metrics/metrics-rollup';
import { DRAIN_EVENT_OUTBOX, REFRESH_METRICS_ROLLUP, runJob } from '../../cron/run-scheduled';
import type { SecurityEvent } from '../../src/lib/events/event-types';
import { DAY, HOUR, jobDeps } from './maintenance-support';

const redis = createRedis({ url: testEnv.UPSTASH_REDIS_REST_URL, token: testEnv.UPSTASH_REDIS_REST_TOKEN });

async function figures(statement: typeof figuresStatement, q: FiguresQuery) {
  const { rows } = await db.execute(statement(q));
  const row = rows[0] as Record<string, unknown>;
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Array<Array<number | string>>;
  return {
    activeUsers: Number(row.active_users),
    byType: Object.fromEntries(json(row.events_by_type).map(([type, n]) => [type, Number(n)])),
    series: json(row.series)
      .map((p) => p.map(Number))
      .sort((a, b) => a[0]! - b[0]!),
  };
}

/** The week, two days and the month at `now`: rollup and raw agree on every figure. */
async function expectRollupExact(now: Date) {
  for (const [durationMs, bucketMs] of [
    [7 * DAY, HOUR],
    [2 * DAY, HOUR],
    [30 * DAY, 6 * HOUR],
  ] as const) {
    const q = { since: new Date(now.getTime() - durationMs), now, bucketMs };
    expect(await figures(rollupFiguresStatement, q), `window ${durationMs / DAY}d`).toEqual(
      await figures(figuresStatement, q),
    );
  }
}

async function user(): Promise<string> {
  const [row] = await db
    .insert(users)
    .values({ email: `rollup-${crypto.randomUUID()}@example.com`, name: 'rollup', passwordHash: null })
    .returning();
  return row!.id;
}

const event = (type: string, at: Date, userId: string | null, metadata: Record<string, unknown> = {}) => ({
  eventType: type,
  severity: 'info',
  userId,
  ipAddress: '203.0.113.7',
  metadata,
  createdAt: at,
});

/** A counter that says how many `login_success` events the rollup alone holds in the hour of `at`. */
async function rolledUpCount(at: Date, type: string): Promise<number> {
  const { rows } = await db.execute(
    sql`select coalesce(sum(count), 0)::int as n from security_event_counts_hourly where hour = ${floorHour(at)} and event_type = ${type}`,
  );
  return Number((rows[0] as { n: number }).n);
}

describe('metrics rollup', () => {
  it('rebuilt from nothing, it answers what the raw events answer for the week and the month', async () => {
    const now = new Date();
    const [a, b, c] = [await user(), await user(), await user()];
    await db.insert(securityEvents).values([
      event('login_success', new Date(now.getTime() - 3 * DAY), a),
      event('token_refreshed', new Date(now.getTime() - 20 * DAY), b),
      event('failed_login_attempt', new Date(now.getTime() - 6 * DAY - 30 * 60_000), null),
      event('rate_limit_exceeded', new Date(now.getTime() - 2 * DAY), null, { foldReason: 'rate_limit', count: 8 }),
      // Inside the hour the rollup does not cover yet (after its end): read raw.
      event('login_success', new Date(now.getTime() - 60_000), c),
    ]);
    await db.execute(sql`delete from metrics_rollup_state`);

    const outcome = await runJob(jobDeps(), REFRESH_METRICS_ROLLUP, now);
    expect(outcome.status).toBe('succeeded');
    const state = await readRollupState(db);
    expect(state?.coveredTo).toEqual(floorHour(now));
    expect(state?.coveredFrom).toEqual(new Date(floorHour(now).getTime() - ROLLUP_SETTINGS.backfillMs));
    await expectRollupExact(now);
  });

  it('a second refresh finds the same counts, and refreshes or rebuilds at once leave them exact', async () => {
    const now = new Date();
    await refreshMetricsRollup(db, now, () => new Date());
    await Promise.all(Array.from({ length: 4 }, () => refreshMetricsRollup(db, now, () => new Date())));
    // Rebuilds at once: 31 chunks each, whose deletes and inserts interleave unless they take turns.
    await db.execute(sql`delete from metrics_rollup_state`);
    await Promise.all(Array.from({ length: 6 }, () => refreshMetricsRollup(db, now, () => new Date())));
    await expectRollupExact(now);
  });

  it('a run cut off by its budget covers less, exactly, and the next run completes it', async () => {
    const now = new Date();
    await db.execute(sql`delete from metrics_rollup_state`);
    // Each reading of this clock is a second later: a budget of 3.5 s lets three chunks start.
    let tick = now.getTime();
    const clock = () => new Date((tick += 1000));
    const cut = await refreshMetricsRollup(db, now, clock, { ...ROLLUP_SETTINGS, budgetMs: 3500 });
    expect(cut.status).toBe('partial');
    expect(cut.hours).toBe(3 * 24);
    const state = await readRollupState(db);
    expect(state!.coveredTo.getTime() - state!.coveredFrom.getTime()).toBe(3 * DAY);
    await expectRollupExact(now);

    const rest = await refreshMetricsRollup(db, now, () => new Date());
    expect(rest.status).toBe('succeeded');
    expect((await readRollupState(db))?.coveredTo).toEqual(floorHour(now));
    await expectRollupExact(now);
  });

  it('events the outbox drain stores late are marked, counted again by the next refresh, and the mark cleared', async () => {
    const now = new Date();
    await refreshMetricsRollup(db, now, () => new Date());
    const at = new Date(now.getTime() - 5 * DAY);
    const before = await rolledUpCount(at, 'oauth_success');
    const late: SecurityEvent = {
      type: 'oauth_success',
      severity: 'info',
      userId: await user(),
      tokenId: null,
      ip: '198.51.100.9',
      userAgent: null,
      country: null,
      metadata: {},
      at,
    };
    await redis.rpush(OUTBOX_KEY, JSON.stringify(late));

    expect((await runJob(jobDeps(), DRAIN_EVENT_OUTBOX, now)).status).toBe('succeeded');
    const marked = await readRollupState(db);
    expect(marked!.dirtyFrom!.getTime()).toBeLessThanOrEqual(at.getTime());
    // Not counted yet: the rollup's hour still holds the old count (which is how the mark is needed).
    expect(await rolledUpCount(at, 'oauth_success')).toBe(before);

    expect((await runJob(jobDeps(), REFRESH_METRICS_ROLLUP, now)).status).toBe('succeeded');
    expect(await rolledUpCount(at, 'oauth_success')).toBe(before + 1);
    expect((await readRollupState(db))?.dirtyFrom).toBeNull();
    await expectRollupExact(now);
  });

  it('a rollup ahead of the clock is not read, and the next refresh starts it again', async () => {
    const now = new Date();
    const ahead = new Date(floorHour(now).getTime() + 10 * DAY);
    await db.execute(sql`update metrics_rollup_state set covered_to = ${ahead}`);
    await expectRollupExact(now);
    const refreshed = await refreshMetricsRollup(db, now, () => new Date());
    expect(refreshed.rebuilt).toBe(true);
    expect((await readRollupState(db))?.coveredTo).toEqual(floorHour(now));
    await expectRollupExact(now);
  });
});
