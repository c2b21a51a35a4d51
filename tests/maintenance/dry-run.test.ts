/**
 * A dry run (`npm run maintenance -- --dry-run` runs exactly this) counts what a run would delete and
 * archive, reads the figures and thresholds, and changes nothing: no row deleted or moved, no run
 * recorded, no event, no alert.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { count, inArray } from 'drizzle-orm';
import { db } from '../support';
import { cronRuns, securityAlerts, securityEvents, securityEventsArchive } from '../../src/lib/storage/schema';
import { nightlyMaintenance } from '../../cron/nightly-maintenance';
import {
  DAY,
  HOUR,
  ago,
  jobDeps,
  runNightlyHandler,
  seedAlert,
  seedEvents,
  seedSession,
  seedUser,
  sessionIds,
  tokenIds,
} from './maintenance-support';

const rowsOf = async (table: typeof cronRuns | typeof securityEvents | typeof securityAlerts) =>
  (await db.select({ n: count() }).from(table))[0]!.n;

describe('a dry run', () => {
  beforeAll(() => runNightlyHandler());

  it('says what a run would do and changes nothing', async () => {
    const now = Date.now();
    const userId = await seedUser();
    const expired = await seedSession(userId, {
      createdAt: ago(now, 9 * DAY),
      idleExpiresAt: ago(now, 2 * DAY),
      tokenExpiries: [ago(now, 2 * DAY)],
    });
    const live = await seedSession(userId, {
      createdAt: ago(now, DAY),
      idleExpiresAt: new Date(now + DAY),
      tokenExpiries: [new Date(now + DAY), ago(now, 5 * DAY), ago(now, 6 * DAY)],
    });
    const old = await seedEvents([ago(now, 95 * DAY), ago(now, 96 * DAY), ago(now, 97 * DAY)]);
    await seedEvents([ago(now, HOUR)]);
    await seedAlert('resolved', ago(now, 100 * DAY));
    const before = {
      runs: await rowsOf(cronRuns),
      events: await rowsOf(securityEvents),
      alerts: await rowsOf(securityAlerts),
    };

    const deps = jobDeps({ thresholds: { archiveBacklogRows: 2 } });
    const { status, details } = await nightlyMaintenance({ ...deps, config: deps.maintenance }, new Date(now), {
      dryRun: true,
    });

    expect(status).toBe('succeeded');
    expect(details.dryRun).toBe(true);
    expect(details.steps).toEqual({
      expiredSessions: { wouldTake: 1, capped: false },
      revokedSessions: { wouldTake: 0, capped: false },
      expiredTokens: { wouldTake: 3, capped: false },
      resolvedAlerts: { wouldTake: 1, capped: false },
      alertDeliveries: { wouldTake: 0, capped: false },
      cronRuns: { wouldTake: 0, capped: false },
      archiveEvents: { wouldTake: 3, capped: false },
    });
    expect(details.outbox).toEqual({ waiting: expect.any(Number) });
    expect(details.statistics?.archiveBacklog).toEqual({ rows: 3, capped: false });
    expect(details.alerts).toEqual([{ check: 'archive_backlog', subject: 'security_events', value: 3, threshold: 2 }]);
    expect(details.analyzed).toBeUndefined();

    expect({
      runs: await rowsOf(cronRuns),
      events: await rowsOf(securityEvents),
      alerts: await rowsOf(securityAlerts),
    }).toEqual(before);
    expect(await sessionIds([expired.id, live.id])).toEqual([expired.id, live.id].sort());
    expect(await tokenIds([...expired.tokens, ...live.tokens])).toHaveLength(4);
    expect(await db.select().from(securityEventsArchive).where(inArray(securityEventsArchive.id, old))).toEqual([]);

    await runNightlyHandler(now); // leaves nothing over for the next file
  });
});
