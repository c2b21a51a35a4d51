import { describe, expect, it } from 'vitest';
import { assembleMetrics } from './security-metrics';
import { parseWindow } from './metrics-window';
import type { StoredFigures } from './metrics-store';

const now = new Date('2026-12-02T10:37:12.345Z');
const at = (iso: string) => Date.parse(iso);

function stored(partial: Partial<StoredFigures>): StoredFigures {
  return { activeSessions: 0, activeUsers: 0, openAlerts: 0, eventsByType: new Map(), series: [], ...partial };
}

describe('assembleMetrics', () => {
  it('sums each metric over its event types and leaves the rest out of it', () => {
    const m = assembleMetrics(
      parseWindow('24h')!,
      now,
      stored({
        eventsByType: new Map([
          ['login_success', 5],
          ['oauth_success', 2],
          ['signup_success', 1],
          ['token_generated', 8],
          ['login_failed', 3],
          ['failed_login_attempt', 4],
          ['oauth_failed', 1],
          ['signup_failed', 6],
          ['token_refreshed', 9],
          ['rate_limit_exceeded', 40],
          ['token_verification_failed', 7],
        ]),
      }),
      0,
    );
    expect(m).toMatchObject({ successfulLogins: 8, failedLogins: 8, tokenRefreshes: 9, rateLimitViolations: 40 });
  });

  it('passes through the figures that are not per type', () => {
    const m = assembleMetrics(
      parseWindow('1h')!,
      now,
      stored({ activeSessions: 12, activeUsers: 7, openAlerts: 3 }),
      4,
    );
    expect(m).toMatchObject({ window: '1h', activeSessions: 12, activeUsers: 7, openAlerts: 3, blockedIps: 4 });
  });

  it('lists the ten busiest types, busiest first, ties by name, none with zero', () => {
    const counts = new Map<string, number>([['zeta', 0]]);
    for (let i = 0; i < 12; i++) counts.set(`type_${String.fromCharCode(97 + i)}`, i < 2 ? 100 : 50 - i);
    const m = assembleMetrics(parseWindow('24h')!, now, stored({ eventsByType: counts }), 0);
    expect(m.topEvents).toHaveLength(10);
    expect(m.topEvents.slice(0, 3)).toEqual([
      { type: 'type_a', count: 100 },
      { type: 'type_b', count: 100 },
      { type: 'type_c', count: 48 },
    ]);
    expect(m.topEvents.at(-1)).toEqual({ type: 'type_j', count: 41 });
    expect(
      assembleMetrics(parseWindow('24h')!, now, stored({ eventsByType: new Map([['zeta', 0]]) }), 0).topEvents,
    ).toEqual([]);
  });

  it('fills every bucket of the window, zeros where nothing happened', () => {
    const m = assembleMetrics(
      parseWindow('1h')!,
      now,
      stored({
        series: [
          { bucket: at('2026-12-02T09:37:00Z'), successfulLogins: 1, failedLogins: 0, tokenRefreshes: 0 },
          { bucket: at('2026-12-02T10:00:00Z'), successfulLogins: 2, failedLogins: 3, tokenRefreshes: 4 },
        ],
      }),
      0,
    );
    expect(m.series).toHaveLength(61);
    expect(m.series[0]).toEqual({
      bucket: '2026-12-02T09:37:00.000Z',
      successfulLogins: 1,
      failedLogins: 0,
      tokenRefreshes: 0,
    });
    expect(m.series[23]).toEqual({
      bucket: '2026-12-02T10:00:00.000Z',
      successfulLogins: 2,
      failedLogins: 3,
      tokenRefreshes: 4,
    });
    expect(m.series.at(-1)).toEqual({
      bucket: '2026-12-02T10:37:00.000Z',
      successfulLogins: 0,
      failedLogins: 0,
      tokenRefreshes: 0,
    });
    expect(m.series.filter((p) => p.successfulLogins + p.failedLogins + p.tokenRefreshes > 0)).toHaveLength(2);
  });

  it('answers the contract fields in the contract order', () => {
    expect(Object.keys(assembleMetrics(parseWindow('7d')!, now, stored({}), 0))).toEqual([
      'window',
      'activeSessions',
      'activeUsers',
      'successfulLogins',
      'failedLogins',
      'tokenRefreshes',
      'rateLimitViolations',
      'blockedIps',
      'openAlerts',
      'topEvents',
      'series',
    ]);
  });
});
