import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, parseRetryAfter, retryDelayMs } from './retry-schedule';

describe('retryDelayMs', () => {
  it('backs off exponentially from one second, capped at an hour', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, undefined))).toEqual([1000, 4000, 16_000, 64_000, 256_000]);
    expect(retryDelayMs(9, undefined)).toBe(3_600_000);
  });

  it('never retries sooner than Retry-After, and not later than six hours for it', () => {
    expect(retryDelayMs(1, 30_000)).toBe(30_000);
    expect(retryDelayMs(3, 2000)).toBe(16_000);
    expect(retryDelayMs(1, 48 * 3_600_000)).toBe(6 * 3_600_000);
  });

  it('gives up after the last attempt', () => {
    expect(retryDelayMs(MAX_ATTEMPTS - 1, undefined)).toBeGreaterThan(0);
    expect(retryDelayMs(MAX_ATTEMPTS, undefined)).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Mon, 07 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 07 Dec 2026 11:00:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});
