import { describe, expect, it } from 'vitest';
import { bucketOf, bucketSizeFor, bucketStarts, parseWindow, windowStart } from './metrics-window';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('parseWindow', () => {
  it('reads whole hours and days from 1h to 30d', () => {
    expect(parseWindow('1h')).toEqual({ label: '1h', durationMs: HOUR, bucketMs: MIN });
    expect(parseWindow('12h')).toEqual({ label: '12h', durationMs: 12 * HOUR, bucketMs: 15 * MIN });
    expect(parseWindow('24h')).toEqual({ label: '24h', durationMs: DAY, bucketMs: 15 * MIN });
    expect(parseWindow('7d')).toEqual({ label: '7d', durationMs: 7 * DAY, bucketMs: HOUR });
    expect(parseWindow('30d')).toEqual({ label: '30d', durationMs: 30 * DAY, bucketMs: 6 * HOUR });
    expect(parseWindow('720h')?.durationMs).toBe(30 * DAY);
    expect(parseWindow('1d')?.durationMs).toBe(DAY);
  });

  it('refuses anything else', () => {
    for (const bad of [
      '',
      '0h',
      '0d',
      '31d',
      '721h',
      '1000h',
      '01h',
      '1H',
      '1 h',
      ' 1h',
      '1h ',
      '1.5h',
      '-1h',
      '+1h',
      '60m',
      '1w',
      'h',
      '24',
      '1e1h',
      '24hh',
      '１h',
    ]) {
      expect(parseWindow(bad), bad).toBeUndefined();
    }
  });
});

describe('bucketSizeFor', () => {
  it('is 1 min for 1h, 15 min up to 24h, 1 h up to 7d, 6 h beyond (contract)', () => {
    expect(bucketSizeFor(HOUR)).toBe(MIN);
    expect(bucketSizeFor(2 * HOUR)).toBe(15 * MIN);
    expect(bucketSizeFor(DAY)).toBe(15 * MIN);
    expect(bucketSizeFor(25 * HOUR)).toBe(HOUR);
    expect(bucketSizeFor(7 * DAY)).toBe(HOUR);
    expect(bucketSizeFor(7 * DAY + HOUR)).toBe(6 * HOUR);
    expect(bucketSizeFor(30 * DAY)).toBe(6 * HOUR);
  });
});

describe('bucketStarts', () => {
  const now = new Date('2026-12-02T10:37:12.345Z');

  it('runs from the bucket the window starts in to the bucket now is in, aligned on UTC', () => {
    const w = parseWindow('24h')!;
    const starts = bucketStarts(w, now);
    expect(starts).toHaveLength(97);
    expect(new Date(starts[0]!).toISOString()).toBe('2026-12-01T10:30:00.000Z');
    expect(new Date(starts.at(-1)!).toISOString()).toBe('2026-12-02T10:30:00.000Z');
    expect(starts.every((at, i) => i === 0 || at - starts[i - 1]! === 15 * MIN)).toBe(true);
  });

  it('gives each window its bucket count: the whole buckets plus the partial one', () => {
    const counts = Object.fromEntries(
      ['1h', '12h', '24h', '7d', '30d'].map((label) => [label, bucketStarts(parseWindow(label)!, now).length]),
    );
    expect(counts).toEqual({ '1h': 61, '12h': 49, '24h': 97, '7d': 169, '30d': 121 });
  });

  it('aligns 6 h buckets on 00, 06, 12 and 18 UTC', () => {
    const starts = bucketStarts(parseWindow('30d')!, now);
    expect(starts.map((at) => new Date(at).getUTCHours()).slice(0, 4)).toEqual([6, 12, 18, 0]);
    expect(new Date(starts.at(-1)!).toISOString()).toBe('2026-12-02T06:00:00.000Z');
  });

  it('still has a bucket per step when now falls on a boundary (the last then holds only that instant)', () => {
    const aligned = new Date('2026-12-02T10:00:00.000Z');
    const starts = bucketStarts(parseWindow('1h')!, aligned);
    expect(starts).toHaveLength(61);
    expect(starts[0]).toBe(windowStart(parseWindow('1h')!, aligned).getTime());
    expect(starts.at(-1)).toBe(aligned.getTime());
  });

  it('covers a window that is not a multiple of its bucket', () => {
    const w = parseWindow('170h')!; // over 7 days: 6 h buckets, 28 and a third of them
    const starts = bucketStarts(w, now);
    // It starts 2026-11-25T08:37:12Z, in the bucket of 06:00; now is in the bucket of 12-02 06:00: 28 steps.
    expect(new Date(starts[0]!).toISOString()).toBe('2026-11-25T06:00:00.000Z');
    expect(starts[0]).toBe(bucketOf(now.getTime() - 170 * HOUR, 6 * HOUR));
    expect(starts.at(-1)).toBe(bucketOf(now.getTime(), 6 * HOUR));
    expect(starts).toHaveLength(29);
  });
});
