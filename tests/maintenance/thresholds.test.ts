/**
 * A figure over its threshold raises an alert the way detections do: a maintenance_threshold_exceeded
 * security event, and an alert in security_alerts that folds per check and table while open (so a
 * table over its size night after night is one alert counting up). The run record lists them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { db } from '../support';
import { securityAlerts, securityEvents } from '../../src/lib/storage/schema';
import { DAY, ago, jobDeps, runNightlyHandler, runNightlyJob, seedEvents } from './maintenance-support';
import { testEnv } from '../test-env';
import { systemClock } from '../../src/lib/clock';

const openMaintenanceAlerts = () =>
  db
    .select()
    .from(securityAlerts)
    .where(and(eq(securityAlerts.type, 'maintenance_threshold_exceeded'), eq(securityAlerts.status, 'open')));

describe('maintenance thresholds', () => {
  beforeAll(async () => {
    await runNightlyHandler();
    // Alerts an earlier run of this file left open would fold this run's into them.
    await db
      .update(securityAlerts)
      .set({ status: 'resolved' })
      .where(eq(securityAlerts.type, 'maintenance_threshold_exceeded'));
  });

  it('raise one alert per check and table, at the configured severity, folding on the next run', async () => {
    const deps = jobDeps({
      thresholds: { tableBytes: 1, databaseBytes: 1, growthBytesPerDay: 0, archiveBacklogRows: 0 },
      alertSeverity: 'critical',
    });
    const first = await runNightlyJob(deps, Date.now());
    expect(first.status).toBe('succeeded');
    const breaches = first.details.alerts as Array<{
      check: string;
      subject: string;
      value: number;
      threshold: number;
    }>;
    expect(breaches.map((b) => `${b.check}:${b.subject}`).sort()).toEqual(
      [
        'database_size:database',
        ...[
          'alert_deliveries',
          'cron_runs',
          'refresh_tokens',
          'security_alerts',
          'security_events',
          'security_events_archive',
          'sessions',
          'users',
        ].map((t) => `table_size:${t}`),
      ].sort(),
    );
    expect(breaches.every((b) => b.value > b.threshold && b.threshold === 1)).toBe(true);

    const alerts = await openMaintenanceAlerts();
    expect(alerts.map((a) => a.subject).sort()).toEqual(breaches.map((b) => `${b.check}:${b.subject}`).sort());
    expect(alerts.every((a) => a.severity === 'critical' && a.count === 1 && a.userId === null && a.ip === null)).toBe(
      true,
    );

    const events = await db
      .select()
      .from(securityEvents)
      .where(
        and(
          eq(securityEvents.eventType, 'maintenance_threshold_exceeded'),
          sql`${securityEvents.createdAt} >= ${new Date(Date.now() - 60_000)}`,
        ),
      );
    const database = events.find((e) => e.metadata.check === 'database_size');
    expect(database).toMatchObject({
      severity: 'critical',
      userId: null,
      ipAddress: null,
      metadata: { check: 'database_size', subject: 'database', threshold: 1, value: expect.any(Number) },
    });

    await runNightlyJob(deps, Date.now() + 1000);
    const folded = await openMaintenanceAlerts();
    expect(folded.map((a) => a.id).sort()).toEqual(alerts.map((a) => a.id).sort());
    expect(folded.every((a) => a.count === 2)).toBe(true);
  });

  it('measure growth per day since the previous run, and the backlog left when the budget runs out', async () => {
    await db
      .update(securityAlerts)
      .set({ status: 'resolved' })
      .where(eq(securityAlerts.type, 'maintenance_threshold_exceeded'));
    const now = Date.now();
    const baseline = await runNightlyJob(jobDeps(), now);
    expect(baseline.status).toBe('succeeded');
    // A day later: 400 old events (about 100 KiB with their indexes), and a budget too small for them.
    await seedEvents(Array.from({ length: 400 }, (_, i) => ago(now, (100 + (i % 30)) * DAY)));
    const deps = jobDeps({
      batches: { initialRows: 3, minRows: 3, maxRows: 3 },
      budget: { statements: 50 },
      thresholds: { growthBytesPerDay: 1, archiveBacklogRows: 10 },
    });
    const next = await runNightlyJob(deps, now + DAY);
    expect(next.status).toBe('partial');
    const growth = next.details.growth as Array<{ table: string; bytes: number; bytesPerDay: number }>;
    const events = growth.find((g) => g.table === 'security_events')!;
    expect(events.bytes).toBeGreaterThan(0);
    expect(events.bytesPerDay).toBe(events.bytes);

    const subjects = (await openMaintenanceAlerts()).map((a) => a.subject);
    expect(subjects).toContain('table_growth:security_events');
    expect(subjects).toContain('archive_backlog:security_events');
    const backlog = (next.details.statistics as { archiveBacklog: { rows: number } }).archiveBacklog.rows;
    expect(backlog).toBeGreaterThan(10);
    const [alert] = await db
      .select()
      .from(securityEvents)
      .where(
        and(
          eq(securityEvents.eventType, 'maintenance_threshold_exceeded'),
          sql`${securityEvents.metadata} ->> 'check' = 'archive_backlog'`,
          sql`${securityEvents.createdAt} = ${new Date(now + DAY)}`,
        ),
      );
    expect(alert?.metadata).toEqual({
      check: 'archive_backlog',
      subject: 'security_events',
      value: backlog,
      threshold: 10,
    });

    // The next nights, with the default budget, clear the backlog; nothing is left over for other files.
    const cleared = await runNightlyJob(jobDeps(), now + DAY + 1000);
    expect((cleared.details.statistics as { archiveBacklog: { rows: number } }).archiveBacklog.rows).toBe(0);
    await db
      .update(securityAlerts)
      .set({ status: 'resolved' })
      .where(inArray(securityAlerts.type, ['maintenance_threshold_exceeded']));
  });

  it('posts a new threshold alert to the webhook within the run, as security alerts are posted', async () => {
    const hook = `maintenance-${crypto.randomUUID()}`;
    const control = (testEnv as unknown as { STACK_CONTROL_URL: string }).STACK_CONTROL_URL;
    const deps = {
      ...jobDeps({ thresholds: { tableBytes: 0, databaseBytes: 1, growthBytesPerDay: 0, archiveBacklogRows: 0 } }),
      alerting: {
        policy: { minSeverity: 'high', repeatSeconds: 3600, autoResolveSeconds: 86_400, delivers: true } as const,
        delivery: {
          db,
          clock: systemClock,
          report: () => undefined,
          fetch: (url: string, init: RequestInit) => fetch(url, init),
          webhook: {
            url: `${control}/webhook/${hook}`,
            format: 'json' as const,
            secret: 'x'.repeat(16),
            dashboardUrl: undefined,
          },
        },
      },
    };
    expect((await runNightlyJob(deps, Date.now())).status).toBe('succeeded');
    const { posts } = (await (await fetch(`${control}/webhook/${hook}/posts`)).json()) as {
      posts: Array<{ body: string }>;
    };
    expect(posts.map((p) => JSON.parse(p.body) as { event: string; alert: Record<string, unknown> })).toEqual([
      {
        event: 'opened',
        sentAt: expect.any(String),
        alert: expect.objectContaining({
          type: 'maintenance_threshold_exceeded',
          severity: 'high',
          status: 'open',
          count: 1,
        }),
      },
    ]);
    await db
      .update(securityAlerts)
      .set({ status: 'resolved' })
      .where(eq(securityAlerts.type, 'maintenance_threshold_exceeded'));
  });
});
