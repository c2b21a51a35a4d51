import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../../lib/http/errors';
import { bearerAuth, type BearerDeps, type BearerVariables } from '../../lib/http/bearer-auth';

/**
 * Every dashboard API route: a valid access token (401 otherwise) of a user whose role is admin now,
 * as the database says, not as the token claims (a demoted admin loses access at once): 403 otherwise.
 */
export function adminOnly(deps: BearerDeps): MiddlewareHandler<{ Variables: BearerVariables }> {
  const authenticate = bearerAuth(deps);
  return (c, next) => authenticate(c, async () => {
    if (c.get('user').role !== 'admin') throw new ApiError('FORBIDDEN', 'this needs an admin');
    await next();
  });
}
