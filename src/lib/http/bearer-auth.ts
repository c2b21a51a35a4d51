/**
 * Bearer authentication for both Workers: verify the access token (signature, type, issuer, audience,
 * expiry), then ask the database in one query whether its session is still live and who the user is
 * now (role, lock). Sets `auth` (the claims) and `user` on the context.
 */
import type { MiddlewareHandler } from 'hono';
import type { AccessClaims, AccessTokenVerifier } from '../tokens/access-token';
import type { CallerState } from '../sessions/caller-state';
import type { PublicUser } from '../users/user-store';
import type { Clock } from '../clock';
import { ApiError } from './errors';

export interface BearerDeps {
  verify: () => Promise<AccessTokenVerifier>;
  loadCaller: (userId: string, sessionId: string) => Promise<CallerState | undefined>;
  clock: Clock;
}

export type BearerVariables = { auth: AccessClaims; user: PublicUser };

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header ?? '');
  return match?.[1];
}

export function bearerAuth(deps: BearerDeps): MiddlewareHandler<{ Variables: BearerVariables }> {
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new ApiError('UNAUTHORIZED', 'a Bearer access token is required');
    const verify = await deps.verify();
    const now = deps.clock();
    const result = await verify(token, now);
    if (!result.ok) {
      throw new ApiError(result.reason, result.reason === 'TOKEN_EXPIRED' ? 'access token expired' : 'access token invalid');
    }
    const caller = await deps.loadCaller(result.claims.sub, result.claims.sid);
    if (!caller || !caller.sessionLive) throw new ApiError('TOKEN_REVOKED', 'this session has been signed out');
    if (caller.lockedUntil && caller.lockedUntil > now) throw new ApiError('ACCOUNT_LOCKED', 'this account is locked');
    c.set('auth', result.claims);
    c.set('user', caller.user);
    await next();
  };
}
