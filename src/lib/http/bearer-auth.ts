/**
 * Bearer authentication for both Workers: verify the access token (signature, type, issuer, audience,
 * expiry), then ask the database in one query whether its session is still live and who the user is
 * now (role, lock). Sets `auth` (the claims) and `user` on the context.
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AccessClaims, AccessTokenVerifier } from '../tokens/access-token';
import type { CallerState } from '../sessions/caller-state';
import type { PublicUser } from '../accounts/user-store';
import type { Clock } from '../clock';
import type { RequestEvents } from '../events/event-log';
import { ApiError } from './errors';
import { lockRefuses } from '../accounts/account-lock';

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

export function bearerAuth(
  deps: BearerDeps,
): MiddlewareHandler<{ Variables: BearerVariables & { events?: RequestEvents } }> {
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new ApiError('UNAUTHORIZED', 'a Bearer access token is required');
    const verify = await deps.verify();
    const now = deps.clock();
    const result = await verify(token, now);
    // Where the Worker keeps an event log (the auth Worker), a refused token is recorded: probing with
    // forged or stolen tokens must be visible. Never the token itself: its reason, and whose it claims to be.
    const refuse = (
      code: 'TOKEN_EXPIRED' | 'TOKEN_INVALID' | 'TOKEN_REVOKED',
      message: string,
      userId: string | null,
    ): never => {
      // The route's pattern (e.g. DELETE /api/auth/sessions/:id), never the raw path a client chose: this
      // check is in the route's own middleware list, so its registered path is the route's.
      c.get('events')?.record('token_verification_failed', {
        userId,
        foldPerMinute: code,
        metadata: { reason: code, route: `${c.req.method} ${routePath(c)}` },
      });
      throw new ApiError(code, message, { invalidBearerToken: true });
    };
    if (!result.ok)
      return refuse(
        result.reason,
        result.reason === 'TOKEN_EXPIRED' ? 'access token expired' : 'access token invalid',
        null,
      );
    const caller = await deps.loadCaller(result.claims.sub, result.claims.sid);
    if (!caller || !caller.sessionLive)
      return refuse('TOKEN_REVOKED', 'this session has been signed out', result.claims.sub);
    if (lockRefuses(caller.lock, 'session', now)) throw new ApiError('ACCOUNT_LOCKED', 'this account is locked');
    c.set('auth', result.claims);
    c.set('user', caller.user);
    await next();
  };
}
