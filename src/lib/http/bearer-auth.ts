/**
 * Bearer authentication for both Workers: verify the access token (signature, type, issuer, audience,
 * expiry), then ask the database in one query whether its session is still live and who the user is
 * now (role, lock). Sets `auth` (the claims) and `user` on the context.
 */
import type { Context, MiddlewareHandler } from 'hono';
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

/** What a token proves: a caller, or why not (and whose the token claims to be, for the event). */
export type BearerCheck =
  | { ok: true; claims: AccessClaims; user: PublicUser }
  | {
      ok: false;
      code: 'UNAUTHORIZED' | 'TOKEN_EXPIRED' | 'TOKEN_INVALID' | 'TOKEN_REVOKED' | 'ACCOUNT_LOCKED';
      message: string;
      userId: string | null;
    };

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Checks an Authorization header: the token verified (CPU only), then its caller loaded while
 * `alongside` runs with the verified claims (undefined when the token is refused), so a caller's other
 * I/O (the auth Worker's rate limits, one Redis round trip) overlaps the query instead of following it.
 */
export async function checkBearer<T>(
  deps: BearerDeps,
  header: string | undefined,
  alongside: (claims: AccessClaims | undefined) => Promise<T>,
): Promise<[BearerCheck, T]> {
  const token = bearerToken(header);
  if (!token)
    return [
      { ok: false, code: 'UNAUTHORIZED', message: 'a Bearer access token is required', userId: null },
      await alongside(undefined),
    ];
  const verify = await deps.verify();
  const now = deps.clock();
  const result = await verify(token, now);
  if (!result.ok) {
    const message = result.reason === 'TOKEN_EXPIRED' ? 'access token expired' : 'access token invalid';
    return [{ ok: false, code: result.reason, message, userId: null }, await alongside(undefined)];
  }
  const { sub, sid } = result.claims;
  const [caller, extra] = await Promise.all([deps.loadCaller(sub, sid), alongside(result.claims)]);
  if (!caller || !caller.sessionLive)
    return [{ ok: false, code: 'TOKEN_REVOKED', message: 'this session has been signed out', userId: sub }, extra];
  if (lockRefuses(caller.lock, 'session', now))
    return [{ ok: false, code: 'ACCOUNT_LOCKED', message: 'this account is locked', userId: sub }, extra];
  return [{ ok: true, claims: result.claims, user: caller.user }, extra];
}

type BearerEnv = { Variables: BearerVariables & { events?: RequestEvents } };

/**
 * Puts a passed check on the context, or throws the refusal. Where the Worker keeps an event log (the
 * auth Worker), a refused token is recorded: probing with forged or stolen tokens must be visible.
 * Never the token itself: its reason, and whose it claims to be.
 */
export function applyBearerCheck<E extends BearerEnv>(context: Context<E>, check: BearerCheck): void {
  const c = context as unknown as Context<BearerEnv>; // every Worker's variables include these
  if (check.ok) {
    c.set('auth', check.claims);
    c.set('user', check.user);
    return;
  }
  if (check.code === 'UNAUTHORIZED' || check.code === 'ACCOUNT_LOCKED') throw new ApiError(check.code, check.message);
  // The route's pattern (e.g. DELETE /api/auth/sessions/:id), never the raw path a client chose: this
  // check runs in the route's own middleware, so its registered path is the route's.
  c.get('events')?.record('token_verification_failed', {
    userId: check.userId,
    foldPerMinute: check.code,
    metadata: { reason: check.code, route: `${c.req.method} ${routePath(c)}` },
  });
  throw new ApiError(check.code, check.message, { invalidBearerToken: true });
}

/** Whether a check's refusal is a 401 (a refused or missing token), as opposed to a locked account. */
export const refusedToken = (check: BearerCheck): boolean => !check.ok && check.code !== 'ACCOUNT_LOCKED';

export function bearerAuth(
  deps: BearerDeps,
): MiddlewareHandler<{ Variables: BearerVariables & { events?: RequestEvents } }> {
  const nothing = async () => undefined;
  return async (c, next) => {
    const [check] = await checkBearer(deps, c.req.header('authorization'), nothing);
    applyBearerCheck(c, check);
    await next();
  };
}
