/**
 * The checks before a route does any work (contract: Rate limits, Detection rules), declared on each
 * route as its first middleware: `gate({ limit: 'login', credential: true })`. Credential routes are
 * refused for a blocked IP; every gated route counts toward bot detection under its route pattern
 * (so a scanner walking session ids is one route, not a thousand). `tests/auth/route-gates.test.ts`
 * fails for any route of the app without a gate, so a new route cannot silently go unlimited.
 */
import type { Context, MiddlewareHandler, Next } from 'hono';
import { routePath } from 'hono/route';
import type { AuthHonoEnv } from './context';
import type { AuthDeps } from './deps';
import type { LimitedRoute } from '../../lib/detection/security-config';
import {
  bearerLimits,
  countRefusedBearer,
  gateRequest,
  judgeBearerLimits,
  limitAfterGate,
  type GateRefusal,
} from '../../lib/detection/request-gate';
import { applyBearerCheck, checkBearer, refusedToken } from '../../lib/http/bearer-auth';
import { ipBucket } from '../../lib/client/ip-bucket';
import { SlotsFull } from '../../lib/passwords/password-slots';
import { ApiError, type ErrorCode } from '../../lib/http/errors';

export interface RouteGate {
  /** The rate limit the route takes a slot of; none for a route that is only counted. */
  limit?: LimitedRoute;
  /** A ceiling on the route's failures per IP, looked at here and taken by the route on each failure. */
  failures?: LimitedRoute;
  /** Signup, login, google: refused for a blocked IP. Routes that prove a session are not. */
  credential?: boolean;
  /**
   * A Bearer route: the gate authenticates the caller (sets `auth` and `user`) and limits the session
   * (`rateLimits.bearerSession`) and the address's refused tokens (`rateLimits.bearer`); only refused
   * tokens (401) count toward the IP's bot detection, so the people behind one address using the app
   * are not taken for one bot.
   */
  bearer?: boolean;
  /** Auth flows, where a tool's user agent is worth an event. */
  watchUserAgent?: boolean;
  /**
   * The route hashes a password: it waits for one of the isolate's password slots before anything else,
   * gate included (password-slots.ts), and holds it until it answers.
   */
  passwordWork?: boolean;
  /** The catch-all for paths no route matches: counted as one route, `(unmatched)`. */
  unmatched?: boolean;
}

/** Runs a route's gate; set on the context by `gateRunner`, so the declarations need no dependencies. */
export type RunGate = (c: Context<AuthHonoEnv>, gate: RouteGate, next: Next) => Promise<void>;

const refusals: Record<GateRefusal['kind'], { code: ErrorCode; message: string }> = {
  ip_blocked: { code: 'IP_BLOCKED', message: 'requests from this address are blocked for a while' },
  rate_limited: { code: 'RATE_LIMIT_EXCEEDED', message: 'too many requests; slow down' },
};

const declared = new WeakSet<MiddlewareHandler<AuthHonoEnv>>();

/** A route's gate, for its `middleware` list (first, before body parsing). */
export function gate(rules: RouteGate): MiddlewareHandler<AuthHonoEnv> {
  const handler: MiddlewareHandler<AuthHonoEnv> = (c, next) => c.get('runGate')(c, rules, next);
  declared.add(handler);
  return handler;
}

/** Whether a handler is a route gate (for the test that every route declares one). */
export const isRouteGate = (handler: unknown): boolean => declared.has(handler as MiddlewareHandler<AuthHonoEnv>);

export function gateRunner(deps: AuthDeps): RunGate {
  const run: RunGate = async (c, rules, next) => {
    const route = `${c.req.method} ${rules.unmatched ? '(unmatched)' : routePath(c)}`;
    if (rules.bearer) return bearerGate(c, deps, route, next);
    const { refusal, headers } = await gateRequest(gateDeps(deps), c.get('events'), {
      route,
      limited: rules.limit,
      failures: rules.failures,
      credential: rules.credential ?? false,
      watchUserAgent: rules.watchUserAgent ?? false,
      client: c.get('client'),
      now: deps.clock(),
    });
    await answerWithin(c, refusal, headers, next);
  };
  return (c, rules, next) =>
    rules.passwordWork ? holdPasswordSlot(deps, () => run(c, rules, next)) : run(c, rules, next);
}

async function holdPasswordSlot(deps: AuthDeps, work: () => Promise<void>): Promise<void> {
  try {
    await deps.passwordSlots(work);
  } catch (err) {
    if (!(err instanceof SlotsFull)) throw err;
    throw new ApiError('SERVICE_UNAVAILABLE', 'too many sign-ins at once here; try again in a moment', {
      retryAfter: 1,
    });
  }
}

const gateDeps = (deps: AuthDeps) => ({
  redis: deps.redis,
  config: deps.security,
  limiter: deps.limiter,
  report: deps.report,
});

/** Shows the limit headers (on whatever is answered), then refuses or runs the route. */
async function answerWithin(
  c: Context<AuthHonoEnv>,
  refusal: GateRefusal | undefined,
  headers: Record<string, string>,
  next: Next,
): Promise<void> {
  const shown = { ...headers };
  c.set('limitHeaders', shown);
  for (const [name, value] of Object.entries(shown)) c.header(name, value);
  if (refusal) throw refusalError(refusal);
  await next();
  // An error response is a new Response object: the limit headers go on whatever is answered.
  for (const [name, value] of Object.entries(shown)) c.res.headers.set(name, value);
}

/**
 * A Bearer route's gate authenticates the caller too, so that its I/O is one moment: the token is
 * verified (CPU), then the session is read from Postgres while, in one Redis round trip, the address's
 * ceiling on refused tokens is looked at and the session's own limit taken. Only a refused token (401)
 * counts toward the address's bot detection, after the answer: the people behind one address using the
 * app are not taken for one bot.
 */
async function bearerGate(c: Context<AuthHonoEnv>, deps: AuthDeps, route: string, next: Next): Promise<void> {
  const client = c.get('client');
  const now = deps.clock();
  const ip = ipBucket(client.ip);
  const [check, [ceiling, session]] = await checkBearer(deps.bearer, c.req.header('authorization'), (claims) =>
    bearerLimits(deps, { ip, sessionId: claims?.sid, now }),
  );
  if (refusedToken(check)) c.get('defer')(countRefusedBearer(gateDeps(deps), c.get('events'), { route, client, now }));
  const caller = check.ok ? { userId: check.claims.sub, sessionId: check.claims.sid } : undefined;
  const { refusal, headers } = judgeBearerLimits(c.get('events'), deps.security, { route, ceiling, session, caller });
  // Checked inside, after the limit's headers are shown: a refused token's 401 carries them too.
  await answerWithin(c, refusal, headers, async () => {
    applyBearerCheck(c, check);
    await next();
  });
}

/** The security layer off (the benchmark of its cost): a Bearer route still authenticates, unlimited. */
export function openGates(deps: AuthDeps): RunGate {
  const nothing = async () => undefined;
  return async (c, rules, next) => {
    if (rules.bearer) applyBearerCheck(c, (await checkBearer(deps.bearer, c.req.header('authorization'), nothing))[0]);
    await next();
  };
}

const refusalError = (refusal: GateRefusal) =>
  new ApiError(refusals[refusal.kind].code, refusals[refusal.kind].message, { retryAfter: refusal.retryAfter });

/**
 * Takes a slot of a limit keyed by what the route has just learnt (a login's IP and email hash): its
 * headers replace the gate's on the response, and a refusal is the gate's 429. `identity` must hold no
 * secret (a hash or an id: it is a Redis key).
 */
export async function takeRouteLimit(
  c: Context<AuthHonoEnv>,
  deps: Pick<AuthDeps, 'limiter' | 'clock'>,
  limited: LimitedRoute,
  identity: string,
): Promise<void> {
  const { refusal, headers } = await limitAfterGate(deps, c.get('events'), {
    route: `${c.req.method} ${routePath(c)}`,
    limited,
    identity,
    now: deps.clock(),
  });
  Object.assign(c.get('limitHeaders'), headers);
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  if (!refusal) return;
  throw refusalError(refusal);
}
