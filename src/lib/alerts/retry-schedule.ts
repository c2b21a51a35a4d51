/**
 * When a failed webhook post is tried again: exponential backoff (1 s, 4 s, 16 s, ... up to an hour),
 * never sooner than the receiver's Retry-After, and given up after MAX_ATTEMPTS. Pure.
 */
export const MAX_ATTEMPTS = 10;
const BASE_MS = 1000;
const FACTOR = 4;
const CAP_MS = 3_600_000;
/** A Retry-After further away than this is taken as this: a day-long silence would hide an attack. */
const RETRY_AFTER_CAP_MS = 6 * 3_600_000;

/** The delay before attempt `attempts + 1`, or undefined when `attempts` were the last allowed. */
export function retryDelayMs(attempts: number, retryAfterMs: number | undefined): number | undefined {
  if (attempts >= MAX_ATTEMPTS) return undefined;
  const backoff = Math.min(CAP_MS, BASE_MS * FACTOR ** Math.max(0, attempts - 1));
  return Math.max(backoff, Math.min(retryAfterMs ?? 0, RETRY_AFTER_CAP_MS));
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: Date): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d{1,9}$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its day and month; a bare number that is not delay-seconds ("-5") is unreadable.
  const at = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
