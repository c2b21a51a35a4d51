/**
 * The dashboard API's rate limit, per admin (contract: abuse controls): after adminOnly, keyed by the
 * admin's user id, so a leaked admin token cannot scrape the event log or flood admin actions, and
 * admins behind one office address do not share a budget. Refusals are recorded like the auth Worker's.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../../lib/http/errors';
import { rateLimitHeaders } from '../../lib/detection/request-gate';
import type { RateLimiter } from '../../lib/rate-limit/rate-limiter';
import type { Clock } from '../../lib/clock';
import type { AdminVariables } from './admin-events';

export function perAdminRateLimit(
  limiter: RateLimiter,
  clock: Clock,
): MiddlewareHandler<{ Variables: AdminVariables }> {
  return async (c, next) => {
    const admin = c.get('user');
    const verdict = await limiter('admin', admin.id, clock());
    for (const [name, value] of Object.entries(rateLimitHeaders(verdict))) c.header(name, value);
    if (!verdict.allowed) {
      c.get('events').record('rate_limit_exceeded', {
        userId: admin.id,
        foldPerMinute: 'dashboard',
        metadata: { route: 'dashboard', limit: verdict.limit, policy: verdict.policy, source: verdict.source },
      });
      throw new ApiError('RATE_LIMIT_EXCEEDED', 'too many requests for this admin', {
        retryAfter: verdict.resetSeconds,
      });
    }
    await next();
  };
}
