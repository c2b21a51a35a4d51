/**
 * Which security events each metric counts (docs/metrics.md gives each figure as the query it runs).
 * One list per figure, used by the SQL and by the totals alike, so the series and the totals cannot
 * disagree on what a failed login is.
 */
import type { EventType } from '../events/event-types';

/**
 * A sign-in that opened a session: by password, by Google, or by signing up (a sign-up answers with
 * tokens: it is a sign-in too). `token_generated` is left out: it repeats each of these.
 */
export const SUCCESSFUL_LOGIN_TYPES = [
  'login_success',
  'oauth_success',
  'signup_success',
] as const satisfies readonly EventType[];

/**
 * A sign-in refused for its credentials: an unknown email (`login_failed`), a wrong password or a
 * locked account (`failed_login_attempt`), a Google token refused (`oauth_failed`). Not a sign-up
 * refused for a taken email (`signup_failed`: no credential was tried), nor a request refused by a
 * rate limit or an IP block before any credential was looked at (those are rateLimitViolations).
 */
export const FAILED_LOGIN_TYPES = [
  'login_failed',
  'failed_login_attempt',
  'oauth_failed',
] as const satisfies readonly EventType[];

/** A refresh token rotated into a new pair. Refused refreshes (expired, revoked, reused) are not refreshes. */
export const TOKEN_REFRESH_TYPES = ['token_refreshed'] as const satisfies readonly EventType[];

/** A request refused by a rate limit (429 RATE_LIMIT_EXCEEDED); folded rows count their repeats. */
export const RATE_LIMIT_TYPES = ['rate_limit_exceeded'] as const satisfies readonly EventType[];

/**
 * A user is active in a window when they proved they hold an account in it: signed in or refreshed.
 * An access token lives 15 minutes (at most an hour) and the shortest window is an hour, so a client
 * that kept using the API in a window refreshed in it.
 */
export const ACTIVE_USER_TYPES = [...SUCCESSFUL_LOGIN_TYPES, ...TOKEN_REFRESH_TYPES] as const;

/** How many event types `topEvents` lists, busiest first. */
export const TOP_EVENT_TYPES = 10;

const sum = (counts: ReadonlyMap<string, number>, types: readonly string[]) =>
  types.reduce((n, t) => n + (counts.get(t) ?? 0), 0);

/** The windowed totals, from the events counted per type. */
export function totalsFrom(counts: ReadonlyMap<string, number>) {
  return {
    successfulLogins: sum(counts, SUCCESSFUL_LOGIN_TYPES),
    failedLogins: sum(counts, FAILED_LOGIN_TYPES),
    tokenRefreshes: sum(counts, TOKEN_REFRESH_TYPES),
    rateLimitViolations: sum(counts, RATE_LIMIT_TYPES),
  };
}

/** The busiest event types, by count, ties by name, at most TOP_EVENT_TYPES. */
export function topEventsFrom(counts: ReadonlyMap<string, number>): Array<{ type: string; count: number }> {
  return [...counts]
    .filter(([, count]) => count > 0)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, TOP_EVENT_TYPES)
    .map(([type, count]) => ({ type, count }));
}
