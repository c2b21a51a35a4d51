/**
 * The one place an error becomes a response. Expected failures (ApiError, Hono's own 4xx) map to the
 * contract's shape; anything else is reported (Sentry, the log) and answered 500 with no details.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ApiError, type ErrorCode } from './errors';

/**
 * Where an unexpected error came from: `source` is what was running (`request`, `gate`, `detect`,
 * `events`, `cron`, or the route that called out), `detail` which part of it (never request data).
 */
export interface ReportContext {
  source: string;
  detail: string;
}

export type ReportError = (error: unknown, context: ReportContext) => void;

const codeForHonoStatus: Record<number, ErrorCode> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

export function respondWithError(c: Context, error: ApiError): Response {
  const headers: Record<string, string> = {};
  if (error.retryAfter !== undefined) headers['Retry-After'] = String(error.retryAfter);
  // RFC 6750 3: a Bearer route's 401 says how to authenticate, and whether the token sent was refused.
  if (error.code === 'UNAUTHORIZED') headers['WWW-Authenticate'] = 'Bearer';
  if (error.invalidBearerToken) headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
  return c.json(error.toBody(), error.status, headers);
}

export function handleError(report: ReportError) {
  return (err: Error, c: Context): Response => {
    if (err instanceof ApiError) return respondWithError(c, err);
    if (err instanceof HTTPException && err.status < 500) {
      const code = codeForHonoStatus[err.status] ?? 'VALIDATION_ERROR';
      // Hono's messages (e.g. "Malformed JSON in request body") say nothing secret; keep them.
      const details =
        code === 'VALIDATION_ERROR' ? [{ field: '(body)', problem: err.message || 'malformed request' }] : undefined;
      return respondWithError(c, new ApiError(code, err.message || 'bad request', details ? { details } : {}));
    }
    report(err, { source: 'request', detail: `${c.req.method} ${c.req.path}` });
    if (isDependencyOutage(err)) {
      return respondWithError(
        c,
        new ApiError('SERVICE_UNAVAILABLE', 'a backing service is unavailable; try again shortly', { retryAfter: 5 }),
      );
    }
    return respondWithError(c, new ApiError('INTERNAL_ERROR', 'internal error'));
  };
}

/**
 * Postgres or Redis out of reach (not a bad query): the Neon driver's server errors carry no SQLSTATE;
 * network failures surface as TypeErrors from fetch; an abort is our own timeout.
 */
// SQLSTATE classes of an unavailable server, not a bad query: connection exceptions, insufficient
// resources (too many connections), operator intervention (shutdown, starting up).
const OUTAGE_SQLSTATE = /^(08|53|57P0)/;

export function isDependencyOutage(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  if (err.name === 'NeonDbError' && (!code || (typeof code === 'string' && OUTAGE_SQLSTATE.test(code)))) return true;
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return true;
  if (err.name === 'TypeError' && /fetch|network|connect/i.test(err.message)) return true;
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error && cause !== err && isDependencyOutage(cause);
}

export function notFound(c: Context): Response {
  return respondWithError(c, new ApiError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`));
}
