import { describe, expect, it } from 'vitest';
import { growthSince, thresholdBreaches, type DatabaseStatistics } from './statistics';
import { DEFAULT_MAINTENANCE_CONFIG } from './maintenance-config';

const stats = (at: string, bytes: number, backlog = 0): DatabaseStatistics => ({
  at,
  databaseBytes: bytes * 2,
  tables: [
    { table: 'security_events', rows: bytes / 100, deadRows: 0, bytes },
    { table: 'sessions', rows: 10, deadRows: 0, bytes: 1000 },
  ],
  archiveBacklog: { rows: backlog, capped: false },
});

describe('growthSince', () => {
  it('is empty without a previous run', () => {
    expect(growthSince(stats('2026-12-02T02:00:00Z', 1000), undefined)).toEqual([]);
  });

  it('gives each table its growth, per day over the window', () => {
    const growth = growthSince(stats('2026-12-03T02:00:00Z', 5000), stats('2026-12-01T02:00:00Z', 1000));
    expect(growth).toContainEqual({ table: 'security_events', rows: 40, bytes: 4000, bytesPerDay: 2000 });
    expect(growth).toContainEqual({ table: 'sessions', rows: 0, bytes: 0, bytesPerDay: 0 });
  });

  it('counts a window under a day as a day', () => {
    const [events] = growthSince(stats('2026-12-01T02:05:00Z', 2000), stats('2026-12-01T02:00:00Z', 1000));
    expect(events?.bytesPerDay).toBe(1000);
  });

  it('skips a table the previous run did not know', () => {
    const previous = { ...stats('2026-12-01T02:00:00Z', 1000), tables: [] };
    expect(growthSince(stats('2026-12-02T02:00:00Z', 1000), previous)).toEqual([]);
  });
});

describe('thresholdBreaches', () => {
  const thresholds = { tableBytes: 4000, databaseBytes: 9000, growthBytesPerDay: 1500, archiveBacklogRows: 10 };

  it('names every figure over its threshold', () => {
    const current = stats('2026-12-03T02:00:00Z', 5000, 11);
    const breaches = thresholdBreaches(current, growthSince(current, stats('2026-12-01T02:00:00Z', 1000)), thresholds);
    expect(breaches).toEqual([
      { check: 'database_size', subject: 'database', value: 10_000, threshold: 9000 },
      { check: 'table_size', subject: 'security_events', value: 5000, threshold: 4000 },
      { check: 'table_growth', subject: 'security_events', value: 2000, threshold: 1500 },
      { check: 'archive_backlog', subject: 'security_events', value: 11, threshold: 10 },
    ]);
  });

  it('raises nothing at or under the thresholds, or for a threshold of 0', () => {
    const current = stats('2026-12-03T02:00:00Z', 4000, 10);
    expect(thresholdBreaches(current, [], thresholds)).toEqual([]);
    const off = { tableBytes: 0, databaseBytes: 0, growthBytesPerDay: 0, archiveBacklogRows: 0 };
    expect(thresholdBreaches(stats('2026-12-03T02:00:00Z', 1e12, 1e9), [], off)).toEqual([]);
  });

  it('has defaults a fresh database is far below', () => {
    expect(
      thresholdBreaches(stats('2026-12-03T02:00:00Z', 1_000_000), [], DEFAULT_MAINTENANCE_CONFIG.thresholds),
    ).toEqual([]);
  });
});
