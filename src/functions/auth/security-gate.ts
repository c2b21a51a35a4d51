/**
 * Which routes get which pre-request checks (contract: Rate limits, Detection rules): credential
 * routes are refused for a blocked IP; every /api route counts toward bot detection.
 */
import type { MiddlewareHandler } from 'hono';
import type { AuthHonoEnv } from './context';
import type { AuthDeps } from './deps';
import type { LimitedRoute } from '../../lib/detection/security-config';
import { gateRequest } from '../../lib/detection/request-gate';

interface RouteRules { limited?: LimitedRoute; credential?: boolean; watchUserAgent?: boolean }

/**
 * The route as counted for bot detection: the pattern, not the concrete path, so a scanner walking
 * session ids (or probing unknown paths) is one route, not a thousand.
 */
export function routeKey(method: string, path: string): string {
  if (/^\/api\/auth\/sessions\/[^/]+$/.test(path)) return `${method} /api/auth/sessions/:id`;
  return KNOWN_PATHS.has(path) ? `${method} ${path}` : `${method} (unmatched)`;
}

const KNOWN_PATHS = new Set([
  '/api/auth/signup', '/api/auth/login', '/api/auth/google', '/api/auth/refresh', '/api/auth/logout',
  '/api/auth/logout-all', '/api/auth/me', '/api/auth/sessions',
]);

const RULES: Record<string, RouteRules> = {
  'POST /api/auth/signup': { limited: 'signup', credential: true, watchUserAgent: true },
  'POST /api/auth/login': { limited: 'login', credential: true, watchUserAgent: true },
  'POST /api/auth/google': { limited: 'google', credential: true, watchUserAgent: true },
  'POST /api/auth/refresh': { limited: 'refresh', watchUserAgent: true },
  'POST /api/auth/logout': { limited: 'logout' },
  'POST /api/auth/logout-all': { limited: 'bearer' },
  'GET /api/auth/me': { limited: 'bearer' },
  'GET /api/auth/sessions': { limited: 'bearer' },
  'DELETE /api/auth/sessions/:id': { limited: 'bearer' },
};

export function securityGate(deps: AuthDeps): MiddlewareHandler<AuthHonoEnv> {
  return async (c, next) => {
    const route = routeKey(c.req.method, c.req.path);
    const rules = RULES[route] ?? {};
    const { refusal, headers } = await gateRequest(
      { redis: deps.redis, config: deps.security, limiter: deps.limiter, report: deps.report },
      c.get('events'),
      { route, limited: rules.limited, credential: rules.credential ?? false, watchUserAgent: rules.watchUserAgent ?? false, client: c.get('client'), now: deps.clock() },
    );
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    if (refusal) throw refusal;
    await next();
    // An error response is a new Response object: the limit headers go on whatever is answered.
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}
