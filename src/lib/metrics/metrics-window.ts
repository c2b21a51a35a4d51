/**
 * The metrics route's time window and its buckets (contract: Dashboard Worker, metrics). Pure: the
 * caller passes `now`.
 *
 * A window is a whole number of hours (`1h` to `720h`) or days (`1d` to `30d`), written in lower case
 * without leading zeros: `1h`, `12h`, `24h`, `7d`, `30d`, but also `6h`, `48h`, `14d`. It covers
 * `[now - duration, now]`. Buckets are aligned on UTC multiples of their size (from the Unix epoch,
 * so 6 h buckets start at 00:00, 06:00, 12:00 and 18:00 UTC), and the list runs from the bucket the
 * window starts in to the bucket `now` is in: the first and last are partial, and only the part of
 * them inside the window is counted, so the series adds up to the window's totals.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export const MAX_WINDOW_MS = 30 * DAY_MS;
export const MIN_WINDOW_MS = HOUR_MS;

/** What the route answers when no window is asked for. */
export const DEFAULT_WINDOW = '24h';

export interface MetricsWindow {
  /** As the client wrote it (`24h`, `7d`): echoed in the response. */
  label: string;
  durationMs: number;
  bucketMs: number;
}

const WINDOW_FORM = /^([1-9][0-9]{0,2})([hd])$/;

/** The window a client asked for, or undefined when it is not one of the accepted forms. */
export function parseWindow(text: string): MetricsWindow | undefined {
  const match = WINDOW_FORM.exec(text);
  if (!match) return undefined;
  const durationMs = Number(match[1]) * (match[2] === 'd' ? DAY_MS : HOUR_MS);
  if (durationMs < MIN_WINDOW_MS || durationMs > MAX_WINDOW_MS) return undefined;
  return { label: text, durationMs, bucketMs: bucketSizeFor(durationMs) };
}

/**
 * The bucket size for a window (contract): 1 minute for 1 h, 15 minutes up to 24 h, 1 hour up to
 * 7 days, 6 hours beyond. At most 169 buckets (7 days of hours, plus the partial one).
 */
export function bucketSizeFor(durationMs: number): number {
  if (durationMs <= HOUR_MS) return MINUTE_MS;
  if (durationMs <= DAY_MS) return 15 * MINUTE_MS;
  if (durationMs <= 7 * DAY_MS) return HOUR_MS;
  return 6 * HOUR_MS;
}

/** The start of the bucket `at` falls in. */
export function bucketOf(at: number, bucketMs: number): number {
  return Math.floor(at / bucketMs) * bucketMs;
}

/** The window's first instant: events at or after it, and at or before `now`, are counted. */
export function windowStart(window: MetricsWindow, now: Date): Date {
  return new Date(now.getTime() - window.durationMs);
}

/** Every bucket start from the window's first bucket to `now`'s, oldest first (epoch ms). */
export function bucketStarts(window: MetricsWindow, now: Date): number[] {
  const last = bucketOf(now.getTime(), window.bucketMs);
  const starts: number[] = [];
  for (let at = bucketOf(windowStart(window, now).getTime(), window.bucketMs); at <= last; at += window.bucketMs)
    starts.push(at);
  return starts;
}
