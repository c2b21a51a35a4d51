import { describe, expect, it } from 'vitest';
import { planRefresh, ROLLUP_SETTINGS, type RollupState } from './metrics-rollup';

const HOUR = 3_600_000;
const now = new Date('2026-12-02T10:37:00Z');
const to = new Date('2026-12-02T10:00:00Z');
const state = (over: Partial<RollupState> = {}): RollupState => ({
  coveredFrom: new Date(to.getTime() - 31 * 24 * HOUR),
  coveredTo: new Date(to.getTime() - HOUR),
  dirtyFrom: null,
  dirtyVersion: 3,
  ...over,
});

describe('planRefresh', () => {
  it('builds 31 days up to the last whole hour when there is no rollup', () => {
    expect(planRefresh(undefined, now)).toEqual({
      from: new Date(to.getTime() - ROLLUP_SETTINGS.backfillMs),
      to,
      rebuild: true,
      coversDirty: false,
    });
  });

  it('counts the last two covered hours again, and every hour since', () => {
    expect(planRefresh(state(), now)).toEqual({
      from: new Date(to.getTime() - 3 * HOUR),
      to,
      rebuild: false,
      coversDirty: false,
    });
  });

  it('goes back to the hour of the oldest late event, but not before the coverage', () => {
    const dirty = new Date('2026-11-20T04:12:00Z');
    expect(planRefresh(state({ dirtyFrom: dirty }), now)).toMatchObject({
      from: new Date('2026-11-20T04:00:00Z'),
      rebuild: false,
      coversDirty: true,
    });
    const older = new Date('2026-01-01T00:00:00Z');
    expect(planRefresh(state({ dirtyFrom: older }), now).from).toEqual(state().coveredFrom);
  });

  it('starts again when the rollup is ahead of the clock or older than a fresh one would reach', () => {
    expect(planRefresh(state({ coveredTo: new Date(to.getTime() + HOUR) }), now).rebuild).toBe(true);
    expect(planRefresh(state({ coveredTo: new Date(to.getTime() - 40 * 24 * HOUR) }), now).rebuild).toBe(true);
  });
});
