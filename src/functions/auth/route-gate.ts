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
import { countRefusedBearer, gateRequest, limitAfterGate, type GateRefusal } from '../../lib/detection/request-gate';
import { ApiError, type ErrorCode } from '../../lib/http/errors';

export interface RouteGate {
  /** The rate limit the route takes a slot of; none for a route that is only counted. */
  limit?: LimitedRoute;
  /** A ceiling on the route's failures per IP, looked at here and taken by the route on each failure. */
  failures?: LimitedRoute;
  /** Signup, login, google: refused for a blocked IP. Routes that prove a session are not. */
  credential?: boolean;
  /**
   * A Bearer route: only refused tokens (401) count toward the IP's bot detection (a valid session is
   * limited per session instead, `sessionLimit`), so the people behind one address using the app are
   * not taken for one bot.
   */
  bearer?: boolean;
  /** Auth flows, where a tool's user agent is worth an event. */
  watchUserAgent?: boolean;
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

/** A route's gate, for its `middleware` list (first, before body parsing or Bearer checks). */
export function gate(rules: RouteGate): MiddlewareHandler<AuthHonoEnv> {
  const handler: MiddlewareHandler<AuthHonoEnv> = (c, next) => c.get('runGate')(c, rules, next);
  declared.add(handler);
  return handler;
}

/** Whether a handler is a route gate (for the test that every route declares one). */
export const isRouteGate = (handler: unknown): boolean => declared.has(handler as MiddlewareHandler<AuthHonoEnv>);

export function gateRunner(deps: AuthDeps): RunGate {
  return async (c, rules, next) => {
    const route = `${c.req.method} ${rules.unmatched ? '(unmatched)' : routePath(c)}`;
    const { refusal, headers } = await gateRequest(
      { redis: deps.redis, config: deps.security, limiter: deps.limiter, report: deps.report },
      c.get('events'),
      {
        route,
        limited: rules.limit,
        failures: rules.failures,
        credential: rules.credential ?? false,
        countBot: !rules.bearer,
        watchUserAgent: rules.watchUserAgent ?? false,
        client: c.get('client'),
        now: deps.clock(),
      },
    );
    const shown = { ...headers };
    c.set('limitHeaders', shown);
    for (const [name, value] of Object.entries(shown)) c.header(name, value);
    if (refusal) throw refusalError(refusal);
    await next();
    // An error response is a new Response object: the limit headers go on whatever is answered.
    for (const [name, value] of Object.entries(shown)) c.res.headers.set(name, value);
    if (rules.bearer && c.res.status === 401)
      c.get('defer')(
        countRefusedBearer(
          { redis: deps.redis, config: deps.security, limiter: deps.limiter, report: deps.report },
          c.get('events'),
          { route, client: c.get('client'), now: deps.clock() },
        ),
      );
  };
}

const refusalError = (refusal: GateRefusal) =>
  new ApiError(refusals[refusal.kind].code, refusals[refusal.kind].message, { retryAfter: refusal.retryAfter });

/**
 * Takes a slot of a limit keyed by what the route has just learnt (a login's IP and email hash, a
 * Bearer call's session): its headers replace the gate's on the response, and a refusal is the
 * gate's 429. `identity` must hold no secret (a hash or an id: it is a Redis key).
 */
export async function takeRouteLimit(
  c: Context<AuthHonoEnv>,
  deps: Pick<AuthDeps, 'limiter' | 'clock'>,
  limited: LimitedRoute,
  identity: string,
  onRefusal?: () => void,
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
  onRefusal?.();
  throw refusalError(refusal);
}

/** Takes a slot of the per-session limit (set on the context, so route declarations need no dependencies). */
export type LimitSession = (c: Context<AuthHonoEnv>) => Promise<void>;

/**
 * A valid token used hundreds of times a minute is a bot, whatever its address: the session is
 * limited (`rateLimits.bearerSession`), and its refusals are `bot_activity_detected` (one row a minute,
 * an alert on the user) instead of an IP block that would hit everyone behind the address.
 */
export function sessionLimiter(deps: AuthDeps): LimitSession {
  return (c) => {
    const { sid, sub } = c.get('auth');
    return takeRouteLimit(c, deps, 'bearerSession', sid, () =>
      c.get('events').record('bot_activity_detected', {
        userId: sub,
        alert: true,
        foldPerMinute: `session:${sid}`,
        metadata: {
          reason: 'session_rate',
          sessionId: sid,
          route: `${c.req.method} ${routePath(c)}`,
          limit: deps.security.rateLimits.bearerSession.requests,
          windowSeconds: deps.security.rateLimits.bearerSession.windowSeconds,
        },
      }),
    );
  };
}

export const noSessionLimit: LimitSession = async () => {};

/** The per-session limit of a Bearer route, declared after its Bearer check (it needs the session). */
export const sessionLimit: MiddlewareHandler<AuthHonoEnv> = async (c, next) => {
  await c.get('limitSession')(c);
  await next();
};

/** For the benchmark that measures what the security layer costs: every gate lets the request through. */
export const openGates: RunGate = (_c, _rules, next) => next();
