/**
 * The dashboard's metrics for one window (contract: `GET /api/auth/security/metrics`): one Postgres
 * statement and one Redis command, sent together. Every figure is defined in docs/metrics.md.
 */
import type { Database } from '../storage/database';
import type { Redis } from '../storage/redis';
import { countBlockedIps } from '../detection/ip-blocklist';
import { readStoredFigures, type SeriesPoint, type StoredFigures } from './metrics-store';
import { topEventsFrom, totalsFrom } from './metric-definitions';
import { bucketStarts, windowStart, type MetricsWindow } from './metrics-window';

export interface SecurityMetrics {
  window: string;
  activeSessions: number;
  activeUsers: number;
  successfulLogins: number;
  failedLogins: number;
  tokenRefreshes: number;
  rateLimitViolations: number;
  blockedIps: number;
  openAlerts: number;
  topEvents: Array<{ type: string; count: number }>;
  series: Array<{ bucket: string; successfulLogins: number; failedLogins: number; tokenRefreshes: number }>;
}

export interface MetricsStores {
  db: Pick<Database, 'execute'>;
  redis: Pick<Redis, 'zcount'>;
}

export async function securityMetrics(
  stores: MetricsStores,
  window: MetricsWindow,
  now: Date,
): Promise<SecurityMetrics> {
  const [stored, blockedIps] = await Promise.all([
    readStoredFigures(stores.db, { since: windowStart(window, now), now, bucketMs: window.bucketMs }),
    countBlockedIps(stores.redis, now),
  ]);
  return assembleMetrics(window, now, stored, blockedIps);
}

/** The response from the stored figures: totals per metric, the top types, and every bucket of the window (zeros where nothing happened). */
export function assembleMetrics(
  window: MetricsWindow,
  now: Date,
  stored: StoredFigures,
  blockedIps: number,
): SecurityMetrics {
  const byBucket = new Map<number, SeriesPoint>(stored.series.map((p) => [p.bucket, p]));
  return {
    window: window.label,
    activeSessions: stored.activeSessions,
    activeUsers: stored.activeUsers,
    ...totalsFrom(stored.eventsByType),
    blockedIps,
    openAlerts: stored.openAlerts,
    topEvents: topEventsFrom(stored.eventsByType),
    series: bucketStarts(window, now).map((at) => {
      const point = byBucket.get(at);
      return {
        bucket: new Date(at).toISOString(),
        successfulLogins: point?.successfulLogins ?? 0,
        failedLogins: point?.failedLogins ?? 0,
        tokenRefreshes: point?.tokenRefreshes ?? 0,
      };
    }),
  };
}
