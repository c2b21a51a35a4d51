import { describe, expect, it } from 'vitest';
import { nextBatchSize, sizeAfterTimeout } from './batch-size';

const settings = { minRows: 100, maxRows: 20_000, targetStatementMs: 2000 };

describe('nextBatchSize', () => {
  it('grows a fast batch, at most twice', () => {
    expect(nextBatchSize(2000, 1, settings)).toBe(4000);
    expect(nextBatchSize(2000, 1500, settings)).toBe(2666);
  });

  it('shrinks a slow batch, at most by half', () => {
    expect(nextBatchSize(2000, 4000, settings)).toBe(1000);
    expect(nextBatchSize(2000, 60_000, settings)).toBe(1000);
  });

  it('keeps a batch that took the target', () => {
    expect(nextBatchSize(2000, 2000, settings)).toBe(2000);
  });

  it('stays within the configured bounds', () => {
    expect(nextBatchSize(15_000, 1, settings)).toBe(20_000);
    expect(nextBatchSize(150, 10_000, settings)).toBe(100);
  });
});

describe('sizeAfterTimeout', () => {
  it('halves, down to the smallest size, then gives up', () => {
    expect(sizeAfterTimeout(2000, settings)).toBe(1000);
    expect(sizeAfterTimeout(150, settings)).toBe(100);
    expect(sizeAfterTimeout(100, settings)).toBeUndefined();
  });
});
