/**
 * The in-memory sliding window (the fallback limiter when Redis does not answer): pure decisions with
 * fake `now` values.
 */
import { describe, expect, it } from 'vitest';
import { decideSlidingWindow, MemoryWindows } from './memory-window';

const T0 = 1_800_000_000_000;
const WINDOW = 60_000;

describe('decideSlidingWindow', () => {
  it('allows an empty window with limit - 1 remaining and a full window until reset', () => {
    expect(decideSlidingWindow([], 5, WINDOW, T0)).toEqual({ allowed: true, remaining: 4, resetMs: WINDOW });
  });

  it('allows N requests, then denies', () => {
    const hits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const now = T0 + i * 1000;
      const d = decideSlidingWindow(hits, 5, WINDOW, now);
      expect(d.allowed).toBe(true);
      expect(d.remaining).toBe(4 - i);
      hits.push(now);
    }
    const denied = decideSlidingWindow(hits, 5, WINDOW, T0 + 5000);
    expect(denied.allowed).toBe(false);
    expect(denied.remaining).toBe(0);
    // Frees when the oldest hit (T0) leaves the window.
    expect(denied.resetMs).toBe(T0 + WINDOW - (T0 + 5000));
  });

  it('frees once the oldest hit is past the window', () => {
    const hits = [T0, T0 + 1000, T0 + 2000];
    expect(decideSlidingWindow(hits, 3, WINDOW, T0 + WINDOW - 1).allowed).toBe(false);
    const freed = decideSlidingWindow(hits, 3, WINDOW, T0 + WINDOW);
    expect(freed.allowed).toBe(true);
    expect(freed.remaining).toBe(0);
    const allFree = decideSlidingWindow(hits, 3, WINDOW, T0 + 2000 + WINDOW);
    expect(allFree).toEqual({ allowed: true, remaining: 2, resetMs: WINDOW });
  });

  it('keeps resetMs between 0 and the window', () => {
    const hits = [T0, T0 + 10_000, T0 + 20_000];
    for (const now of [T0 + 20_000, T0 + 30_000, T0 + 59_999]) {
      for (const limit of [1, 3, 10]) {
        const d = decideSlidingWindow(hits, limit, WINDOW, now);
        expect(d.resetMs).toBeGreaterThan(0);
        expect(d.resetMs).toBeLessThanOrEqual(WINDOW);
      }
    }
  });
});

describe('MemoryWindows', () => {
  it('allows N per key, then denies, and frees after the window', () => {
    const windows = new MemoryWindows();
    for (let i = 0; i < 3; i++) expect(windows.take('login:1.2.3.4', 3, WINDOW, T0 + i).allowed).toBe(true);
    const denied = windows.take('login:1.2.3.4', 3, WINDOW, T0 + 10);
    expect(denied.allowed).toBe(false);
    expect(denied.resetMs).toBe(WINDOW - 10);
    // A denied request is not counted: the window frees when the first allowed hit leaves it.
    expect(windows.take('login:1.2.3.4', 3, WINDOW, T0 + WINDOW).allowed).toBe(true);
  });

  it('keeps keys apart', () => {
    const windows = new MemoryWindows();
    expect(windows.take('a', 1, WINDOW, T0).allowed).toBe(true);
    expect(windows.take('a', 1, WINDOW, T0 + 1).allowed).toBe(false);
    expect(windows.take('b', 1, WINDOW, T0 + 2).allowed).toBe(true);
    expect(windows.take('b', 1, WINDOW, T0 + 3).allowed).toBe(false);
  });

  it('bounds how many keys it holds, dropping the least recently used', () => {
    const windows = new MemoryWindows();
    const held = () => (windows as unknown as { hits: Map<string, number[]> }).hits.size;
    expect(windows.take('oldest', 1, WINDOW, T0).allowed).toBe(true);
    expect(windows.take('touched', 1, WINDOW, T0).allowed).toBe(true);
    for (let i = 0; i < 9_997; i++) windows.take(`k${i}`, 1, WINDOW, T0);
    expect(held()).toBe(9_999);
    // Touch 'touched' (denied, still counted) so it becomes the most recently used.
    expect(windows.take('touched', 1, WINDOW, T0 + 1).allowed).toBe(false);
    for (let i = 9_997; i < 10_100; i++) windows.take(`k${i}`, 1, WINDOW, T0 + 2);
    expect(held()).toBeLessThanOrEqual(10_000);
    // 'oldest' was evicted (a fresh window), 'touched' survived (still denied).
    expect(windows.take('oldest', 1, WINDOW, T0 + 3).allowed).toBe(true);
    expect(windows.take('touched', 1, WINDOW, T0 + 3).allowed).toBe(false);
    expect(held()).toBeLessThanOrEqual(10_000);
  });
});

describe('MemoryWindows.peek', () => {
  it('says whether a hit would pass without counting one (a ceiling the gate only looks at)', () => {
    const windows = new MemoryWindows();
    for (let i = 0; i < 5; i++) expect(windows.peek('fail:1.2.3.4', 2, WINDOW, T0 + i).allowed).toBe(true);
    windows.take('fail:1.2.3.4', 2, WINDOW, T0);
    expect(windows.peek('fail:1.2.3.4', 2, WINDOW, T0 + 1)).toMatchObject({ allowed: true, remaining: 0 });
    windows.take('fail:1.2.3.4', 2, WINDOW, T0 + 2);
    expect(windows.peek('fail:1.2.3.4', 2, WINDOW, T0 + 3).allowed).toBe(false);
    expect(windows.peek('fail:1.2.3.4', 2, WINDOW, T0 + WINDOW + 2).allowed).toBe(true);
  });
});
