/**
 * The checks before a route does any work: a blocked IP (credential routes only), bot-rate counting,
 * the route's rate limit, and a suspicious user agent. Redis work is gathered: the counters go in one
 * pipeline, alongside the rate limiter's single call.
 */
import type { ReportError } from '../http/error-handler';
import type { Redis } from '../storage/redis';
import type { RequestEvents } from '../events/event-log';
import type { ClientContext } from '../client/client-context';
import type { RateLimiter, LimitVerdict } from '../rate-limit/rate-limiter';
import type { LimitedRoute, SecurityConfig } from './security-config';
import { botActivity, suspiciousUserAgent } from './rules';
import { countBotRequest, requestCounters } from './counters';
import { blockIp, secondsLeft } from './ip-blocklist';
import { ipBucket } from '../client/ip-bucket';

export interface GateDeps {
  redis: Redis;
  config: SecurityConfig;
  limiter: RateLimiter;
  report: ReportError;
}

export interface GateRequest {
  /** The route as counted for bot detection, e.g. `POST /api/auth/login`. */
  route: string;
  limited: LimitedRoute | undefined;
  /**
   * A ceiling on the route's failures per IP (e.g. `loginFailures`): only looked at here; the route
   * takes a slot on each failure.
   */
  failures: LimitedRoute | undefined;
  /** Signup, login, google: refused for a blocked IP. Routes that prove a session are not. */
  credential: boolean;
  /** Auth flows, where a tool's user agent is worth an event. */
  watchUserAgent: boolean;
  client: ClientContext;
  now: Date;
}

/** Why the gate refused a request, and when to try again (seconds); the Worker maps it to the wire. */
export type GateRefusal = { kind: 'ip_blocked' | 'rate_limited'; retryAfter: number };

export interface GateResult {
  refusal: GateRefusal | undefined;
  headers: Record<string, string>;
}

export function rateLimitHeaders(verdict: LimitVerdict): Record<string, string> {
  return {
    'RateLimit-Limit': String(verdict.limit),
    'RateLimit-Remaining': String(verdict.remaining),
    'RateLimit-Reset': String(verdict.resetSeconds),
    'RateLimit-Policy': verdict.policy,
  };
}

/**
 * Whether the route takes its limit itself, once it knows what it is keyed by: only login knows an
 * email. Configured on any other route, `ip+email` counts per IP (limiterKey's default).
 */
export const limitTakenByRoute = (route: LimitedRoute, config: SecurityConfig): boolean =>
  route === 'login' && config.rateLimits[route].key === 'ip+email';

function limiterKey(route: LimitedRoute, client: ClientContext, config: SecurityConfig): string {
  const ip = ipBucket(client.ip);
  switch (config.rateLimits[route].key) {
    case 'global':
      return 'all';
    case 'ip+user-agent':
      return `${ip}:${client.userAgent ?? ''}`;
    default:
      return ip;
  }
}

export async function gateRequest(deps: GateDeps, events: RequestEvents, r: GateRequest): Promise<GateResult> {
  const ip = ipBucket(r.client.ip);
  const takeHere = r.limited !== undefined && !limitTakenByRoute(r.limited, deps.config);
  const [counters, verdict, ceiling] = await Promise.all([
    // Issued in one tick with the limiter's calls below: one Redis request for all of them.
    requestCounters(deps.redis, { ip, route: r.route, config: deps.config, now: r.now }).catch((err: unknown) => {
      deps.report(err, { source: 'gate', detail: r.route }); // Redis down: no block check, no bot count (rate limits fall back to memory)
      return undefined;
    }),
    r.limited && takeHere ? deps.limiter(r.limited, limiterKey(r.limited, r.client, deps.config), r.now) : undefined,
    r.failures ? deps.limiter.peek(r.failures, ip, r.now) : undefined,
  ]);
  // The ceiling's headers stand until the route's own limit, taken later, replaces them.
  const shown = verdict ?? ceiling;
  const headers = shown ? rateLimitHeaders(shown) : {};

  if (r.watchUserAgent) {
    const match = suspiciousUserAgent(r.client.userAgent);
    if (match)
      events.record('suspicious_activity', { metadata: { reason: 'suspicious_user_agent', match, route: r.route } });
  }

  if (r.credential && counters?.block) {
    return { headers, refusal: { kind: 'ip_blocked', retryAfter: secondsLeft(counters.block, r.now) } };
  }
  if (counters && botActivity(counters.botCount, deps.config)) {
    const block = await blockForBotActivity(deps, events, {
      ip,
      route: r.route,
      requests: counters.botCount,
      now: r.now,
    });
    if (r.credential && block) {
      return { headers, refusal: { kind: 'ip_blocked', retryAfter: secondsLeft(block, r.now) } };
    }
  }
  if (ceiling && !ceiling.allowed) {
    return { headers: rateLimitHeaders(ceiling), refusal: refuseOverLimit(events, r.route, ceiling, r.failures) };
  }
  if (verdict && !verdict.allowed) return { headers, refusal: refuseOverLimit(events, r.route, verdict, r.limited) };
  return { headers, refusal: undefined };
}

async function blockForBotActivity(
  deps: GateDeps,
  events: RequestEvents,
  r: { ip: string; route: string; requests: number; now: Date },
) {
  const block = await blockIp(deps.redis, r.ip, 'bot_activity', deps.config.bot.blockSeconds, r.now).catch(
    () => undefined,
  );
  events.record('bot_activity_detected', {
    alert: true,
    metadata: { route: r.route, requests: r.requests, windowSeconds: deps.config.bot.windowSeconds },
  });
  if (block)
    events.record('ip_address_blocked', {
      metadata: { reason: 'bot_activity', until: new Date(block.until).toISOString() },
    });
  return block;
}

/**
 * A Bearer route's refused token (401), counted after the answer toward the IP's bot detection and its
 * ceiling on refused tokens (`rateLimits.bearer`): a scanner of tokens fills them, the people behind an
 * address using valid sessions do not.
 */
export async function countRefusedBearer(
  deps: GateDeps,
  events: RequestEvents,
  r: { route: string; client: ClientContext; now: Date },
): Promise<void> {
  const ip = ipBucket(r.client.ip);
  try {
    // The refusal also takes a slot of the address's ceiling on refused tokens (the gate only looks at it).
    const [requests] = await Promise.all([
      countBotRequest(deps.redis, { ip, route: r.route, config: deps.config }),
      deps.limiter('bearer', ip, r.now),
    ]);
    if (botActivity(requests, deps.config))
      await blockForBotActivity(deps, events, { ip, route: r.route, requests, now: r.now });
  } catch (err) {
    deps.report(err, { source: 'gate', detail: r.route });
  }
}

function refuseOverLimit(
  events: RequestEvents,
  route: string,
  verdict: LimitVerdict,
  limit: LimitedRoute | undefined,
): GateRefusal {
  events.record('rate_limit_exceeded', {
    foldPerMinute: route,
    metadata: { route, limit: verdict.limit, policy: verdict.policy, source: verdict.source, rule: limit },
  });
  return { kind: 'rate_limited', retryAfter: verdict.resetSeconds };
}

/**
 * A Bearer call's limits in one Redis round trip (both scripts leave in the same tick, and the Redis
 * client pipelines what leaves together): the address's ceiling on refused tokens (`rateLimits.bearer`),
 * looked at, and the session's own limit (`rateLimits.bearerSession`), taken once the token is verified.
 */
export function bearerLimits(
  deps: Pick<GateDeps, 'limiter'>,
  r: { ip: string; sessionId: string | undefined; now: Date },
): Promise<[LimitVerdict, LimitVerdict | undefined]> {
  return Promise.all([
    deps.limiter.peek('bearer', r.ip, r.now),
    r.sessionId === undefined ? undefined : deps.limiter('bearerSession', r.sessionId, r.now),
  ]);
}

/**
 * The verdict of a Bearer call's limits: the address's ceiling first (a scanner of tokens is refused
 * whatever it presents), then the session's. A valid token used hundreds of times a minute is a bot,
 * whatever its address: its refusals are `bot_activity_detected` (one row a minute, an alert on the
 * user) instead of an IP block that would hit everyone behind the address.
 */
export function judgeBearerLimits(
  events: RequestEvents,
  config: SecurityConfig,
  r: {
    route: string;
    ceiling: LimitVerdict;
    session: LimitVerdict | undefined;
    caller: { userId: string; sessionId: string } | undefined;
  },
): GateResult {
  if (!r.ceiling.allowed)
    return { headers: rateLimitHeaders(r.ceiling), refusal: refuseOverLimit(events, r.route, r.ceiling, 'bearer') };
  if (!r.session || !r.caller) return { headers: rateLimitHeaders(r.ceiling), refusal: undefined };
  const headers = rateLimitHeaders(r.session);
  if (r.session.allowed) return { headers, refusal: undefined };
  const limit = config.rateLimits.bearerSession;
  events.record('bot_activity_detected', {
    userId: r.caller.userId,
    alert: true,
    foldPerMinute: `session:${r.caller.sessionId}`,
    metadata: {
      reason: 'session_rate',
      sessionId: r.caller.sessionId,
      route: r.route,
      limit: limit.requests,
      windowSeconds: limit.windowSeconds,
    },
  });
  return { headers, refusal: refuseOverLimit(events, r.route, r.session, 'bearerSession') };
}

/**
 * A limit the route takes once it knows its key (a login's email, a Bearer call's session): the same
 * headers, event and refusal as the gate's own limit. `identity` is already free of secrets (a hash, an id).
 */
export async function limitAfterGate(
  deps: Pick<GateDeps, 'limiter'>,
  events: RequestEvents,
  r: { route: string; limited: LimitedRoute; identity: string; now: Date },
): Promise<GateResult> {
  const verdict = await deps.limiter(r.limited, r.identity, r.now);
  const headers = rateLimitHeaders(verdict);
  return { headers, refusal: verdict.allowed ? undefined : refuseOverLimit(events, r.route, verdict, r.limited) };
}
