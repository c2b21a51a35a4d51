/**
 * The nightly run through the Worker's scheduled handler, on seeded rows of every age: exactly what
 * is past retention goes, old security events move to the archive as the same rows with the same ids,
 * the run leaves its record and a token_cleanup event, and a second run finds nothing to do.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { db } from '../support';
import { cronRuns, securityAlerts, securityEvents, securityEventsArchive } from '../../src/lib/storage/schema';
import {
  DAY,
  HOUR,
  ago,
  latestRun,
  runNightlyHandler,
  seedAlert,
  seedEvents,
  seedRun,
  seedSession,
  seedUser,
  sessionIds,
  tokenIds,
  idsIn,
} from './maintenance-support';

type Steps = Record<string, { rows: number; batches: number; complete: boolean }>;

describe('the nightly maintenance', () => {
  // Whatever earlier test files left past retention is dealt with first, so this file's counts are exact.
  beforeAll(() => runNightlyHandler());

  const now = Date.now();
  const seeded = {} as {
    live: { id: string; tokens: string[] };
    expired: { id: string; tokens: string[] };
    expiredInGrace: { id: string; tokens: string[] };
    revokedLongAgo: { id: string; tokens: string[] };
    revokedRecently: { id: string; tokens: string[] };
    oldEvents: number[];
    youngEvents: number[];
    alerts: Record<string, string>;
    runs: Record<string, number>;
  };

  it('deletes exactly what is past retention, archives old events as they were, and records the run', async () => {
    const userId = await seedUser();
    seeded.live = await seedSession(userId, {
      createdAt: ago(now, 10 * DAY),
      idleExpiresAt: new Date(now + 7 * DAY),
      // current, expired past the 1-day grace (deleted), expired within it (kept)
      tokenExpiries: [new Date(now + 7 * DAY), ago(now, 3 * DAY), ago(now, HOUR)],
    });
    seeded.expired = await seedSession(userId, {
      createdAt: ago(now, 20 * DAY),
      idleExpiresAt: ago(now, 2 * DAY),
      tokenExpiries: [ago(now, 2 * DAY), ago(now, 9 * DAY)],
    });
    seeded.expiredInGrace = await seedSession(userId, {
      createdAt: ago(now, 8 * DAY),
      idleExpiresAt: ago(now, HOUR),
      tokenExpiries: [ago(now, HOUR)],
    });
    seeded.revokedLongAgo = await seedSession(userId, {
      createdAt: ago(now, 40 * DAY),
      idleExpiresAt: ago(now, 33 * DAY),
      revokedAt: ago(now, 31 * DAY),
      tokenExpiries: [ago(now, 33 * DAY)],
    });
    // Revoked 29 days ago: kept, though its token (expired 22 days ago) goes.
    seeded.revokedRecently = await seedSession(userId, {
      createdAt: ago(now, 36 * DAY),
      idleExpiresAt: new Date(now - 22 * DAY),
      revokedAt: ago(now, 29 * DAY),
      tokenExpiries: [ago(now, 22 * DAY)],
    });

    seeded.oldEvents = await seedEvents([
      ago(now, 400 * DAY),
      ago(now, 200 * DAY),
      ago(now, 91 * DAY),
      ago(now, 91 * DAY),
    ]);
    seeded.youngEvents = await seedEvents([ago(now, 89 * DAY), ago(now, DAY), new Date(now)]);
    const oldRows = await db
      .select()
      .from(securityEvents)
      .where(inArray(securityEvents.id, seeded.oldEvents))
      .orderBy(securityEvents.id);

    seeded.alerts = {
      resolvedOld: await seedAlert('resolved', ago(now, 91 * DAY)),
      resolvedYoung: await seedAlert('resolved', ago(now, 89 * DAY)),
      openOld: await seedAlert('open', ago(now, 200 * DAY)),
      acknowledgedOld: await seedAlert('acknowledged', ago(now, 200 * DAY)),
    };
    const job = `seeded-job-${crypto.randomUUID()}`;
    seeded.runs = {
      old: await seedRun(job, ago(now, 31 * DAY), 'succeeded'),
      young: await seedRun(job, ago(now, 29 * DAY), 'failed'),
    };

    const before = (await latestRun()).id;
    await runNightlyHandler(now);

    expect(
      await sessionIds(Object.values(seeded).flatMap((s) => ('id' in s && typeof s.id === 'string' ? [s.id] : []))),
    ).toEqual([seeded.live.id, seeded.expiredInGrace.id, seeded.revokedRecently.id].sort());
    expect(
      await tokenIds(
        [seeded.live, seeded.expired, seeded.expiredInGrace, seeded.revokedLongAgo, seeded.revokedRecently].flatMap(
          (s) => s.tokens,
        ),
      ),
    ).toEqual([seeded.live.tokens[0], seeded.live.tokens[2], seeded.expiredInGrace.tokens[0]].sort());

    expect(
      await idsIn(
        db
          .select({ id: securityEvents.id })
          .from(securityEvents)
          .where(inArray(securityEvents.id, [...seeded.oldEvents, ...seeded.youngEvents])),
      ),
    ).toEqual([...seeded.youngEvents].sort());
    const archived = await db
      .select()
      .from(securityEventsArchive)
      .where(inArray(securityEventsArchive.id, [...seeded.oldEvents, ...seeded.youngEvents]))
      .orderBy(securityEventsArchive.id);
    expect(archived).toEqual(oldRows);

    expect(
      await idsIn(
        db
          .select({ id: securityAlerts.id })
          .from(securityAlerts)
          .where(inArray(securityAlerts.id, Object.values(seeded.alerts))),
      ),
    ).toEqual([seeded.alerts.resolvedYoung, seeded.alerts.openOld, seeded.alerts.acknowledgedOld].sort());
    expect(await idsIn(db.select({ id: cronRuns.id }).from(cronRuns).where(eq(cronRuns.job, job)))).toEqual([
      seeded.runs.young,
    ]);

    const run = await latestRun();
    expect(run.id).toBeGreaterThan(before);
    expect(run).toMatchObject({ status: 'succeeded', leaseUntil: null });
    expect(run.finishedAt!.getTime()).toBeGreaterThanOrEqual(run.startedAt.getTime());
    expect(run.startedAt.getTime()).toBe(now);
    const steps = run.details.steps as Steps;
    expect(steps.expiredSessions).toMatchObject({ rows: 1, complete: true });
    expect(steps.revokedSessions).toMatchObject({ rows: 1, complete: true });
    expect(steps.expiredTokens).toMatchObject({ rows: 2, complete: true });
    expect(steps.resolvedAlerts).toMatchObject({ rows: 1, complete: true });
    expect(steps.cronRuns).toMatchObject({ rows: 1, complete: true });
    expect(steps.archiveEvents).toMatchObject({ rows: 4, complete: true });
    expect(steps.alertDeliveries).toMatchObject({ rows: 0, complete: true });
    expect(run.details.analyzed).toEqual({
      analyzed: expect.arrayContaining([
        'sessions',
        'refresh_tokens',
        'security_alerts',
        'cron_runs',
        'security_events',
        'security_events_archive',
      ]),
      timedOut: [],
    });
  });

  it('records the database figures in the run: sizes, estimated rows, growth since the last run, the backlog', async () => {
    const run = await latestRun();
    const statistics = run.details.statistics as {
      at: string;
      databaseBytes: number;
      tables: Array<{ table: string; rows: number; bytes: number; deadRows: number }>;
      archiveBacklog: { rows: number; capped: boolean };
    };
    expect(statistics.at).toBe(new Date(now).toISOString());
    expect(statistics.databaseBytes).toBeGreaterThan(1_000_000);
    expect(statistics.tables.map((t) => t.table)).toEqual([
      'alert_deliveries',
      'cron_runs',
      'refresh_tokens',
      'security_alerts',
      'security_events',
      'security_events_archive',
      'sessions',
      'users',
    ]);
    const archive = statistics.tables.find((t) => t.table === 'security_events_archive')!;
    expect(archive.bytes).toBeGreaterThan(0);
    // ANALYZE ran before the figures were read: the estimate counts what the archive holds.
    const [{ n }] = (await db.execute(sql`select count(*)::int as n from security_events_archive`)).rows as [
      { n: number },
    ];
    expect(archive.rows).toBe(n);
    expect(statistics.archiveBacklog).toEqual({ rows: 0, capped: false });
    expect(run.details.growth).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          table: 'security_events_archive',
          bytes: expect.any(Number),
          bytesPerDay: expect.any(Number),
        }),
      ]),
    );
    expect(run.details.alerts).toEqual([]);
    expect(run.details.longestStatement).toMatchObject({ ms: expect.any(Number), name: expect.any(String) });
  });

  it('leaves a token_cleanup event with its counts', async () => {
    const run = await latestRun();
    const [event] = await db
      .select()
      .from(securityEvents)
      .where(
        and(
          eq(securityEvents.eventType, 'token_cleanup'),
          sql`${securityEvents.metadata} ->> 'runId' = ${String(run.id)}`,
        ),
      );
    expect(event?.metadata).toEqual({
      runId: run.id,
      sessionsDeleted: 2,
      expiredTokensDeleted: 2,
      eventsArchived: 4,
      complete: true,
    });
    expect(event?.createdAt.getTime()).toBe(now);
  });

  it('finds nothing to do on a second run', async () => {
    await runNightlyHandler(now + 60_000);
    const run = await latestRun();
    expect(run.status).toBe('succeeded');
    const steps = run.details.steps as Steps;
    for (const [name, step] of Object.entries(steps)) {
      if ('skipped' in step) continue;
      expect(step, name).toMatchObject({ rows: 0, batches: 1, complete: true });
    }
    expect(run.details.analyzed).toEqual({ analyzed: [], timedOut: [] });
    expect(
      await db
        .select({ id: securityEventsArchive.id })
        .from(securityEventsArchive)
        .where(inArray(securityEventsArchive.id, seeded.oldEvents)),
    ).toHaveLength(4);
  });
});
