import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../../lib/http/errors';
import { bearerAuth, type BearerDeps, type BearerVariables } from '../../lib/http/bearer-auth';
import { errorResponse } from '../../lib/http/openapi';

/**
 * Every dashboard API route: a valid access token (401 otherwise) of a user whose role is admin now,
 * as the database says, not as the token claims (a demoted admin loses access at once): 403 otherwise.
 */
export function adminOnly(deps: BearerDeps): MiddlewareHandler<{ Variables: BearerVariables }> {
  const authenticate = bearerAuth(deps);
  return (c, next) =>
    authenticate(c, async () => {
      if (c.get('user').role !== 'admin') throw new ApiError('FORBIDDEN', 'this needs an admin');
      await next();
    });
}

/** What adminOnly (and the per-admin rate limit after it) answer instead of the route, as every admin route documents it (OpenAPI). */
export const adminOnlyErrors = {
  401: errorResponse('UNAUTHORIZED or a TOKEN_* code'),
  403: errorResponse('FORBIDDEN: not an admin'),
  429: errorResponse(
    "RATE_LIMIT_EXCEEDED: this admin's requests a minute are spent (admin-rate-limit.ts); Retry-After",
  ),
  503: errorResponse("SERVICE_UNAVAILABLE: the auth Worker's keys cannot be loaded; Retry-After"),
};
