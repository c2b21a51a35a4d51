/**
 * Bearer authentication for both Workers: verify the access token, then refuse it if its session was
 * revoked (Redis deny-list; the database answers when Redis cannot). Sets `auth` on the context.
 */
import type { MiddlewareHandler } from 'hono';
import type { AccessClaims, AccessTokenVerifier } from '../tokens/access-token';
import type { RevocationList } from '../sessions/revocation-list';
import type { Clock } from '../clock';
import { ApiError } from './errors';

export interface BearerDeps {
  verify: () => Promise<AccessTokenVerifier>;
  revocations: RevocationList;
  isSessionRevokedInDatabase: (sessionId: string) => Promise<boolean>;
  clock: Clock;
}

export type BearerVariables = { auth: AccessClaims };

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header ?? '');
  return match?.[1];
}

export function bearerAuth(deps: BearerDeps): MiddlewareHandler<{ Variables: BearerVariables }> {
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new ApiError('UNAUTHORIZED', 'a Bearer access token is required');
    const verify = await deps.verify();
    const result = await verify(token, deps.clock());
    if (!result.ok) {
      throw new ApiError(result.reason, result.reason === 'TOKEN_EXPIRED' ? 'access token expired' : 'access token invalid');
    }
    const revoked = (await deps.revocations.isRevoked(result.claims.sid)) ?? (await deps.isSessionRevokedInDatabase(result.claims.sid));
    if (revoked) throw new ApiError('TOKEN_REVOKED', 'this session has been signed out');
    c.set('auth', result.claims);
    await next();
  };
}
