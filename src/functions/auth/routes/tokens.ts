/** POST /api/auth/refresh, /api/auth/logout and /api/auth/logout-all. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AuthHonoEnv } from '../context';
import type { AuthDeps } from '../deps';
import { RefreshBody, TokenResponse, bearerErrors, errorResponse, jsonContent, jsonRouteErrors } from '../schemas';
import { jsonBody, noBody } from '../../../lib/http/json-body';
import { validationHook } from '../../../lib/http/validation';
import { ApiError, type ErrorCode } from '../../../lib/http/errors';
import { gate } from '../route-gate';
import { refreshSession } from '../../../lib/sessions/token-issuer';
import { hashRefreshToken, isWellFormedRefreshToken } from '../../../lib/tokens/refresh-token';
import { revokeAllSessions, revokeSession, revokeSessionOfToken } from '../../../lib/sessions/session-store';
import { riskSummary } from '../../../lib/detection/risk';
import type { RefreshOutcome } from '../../../lib/sessions/refresh-outcome';
import type { EventType } from '../../../lib/events/event-types';

const refreshRoute = createRoute({
  method: 'post',
  path: '/api/auth/refresh',
  middleware: [gate({ limit: 'refresh', watchUserAgent: true }), jsonBody] as const,
  request: { body: { content: { 'application/json': { schema: RefreshBody } }, required: true } },
  responses: {
    ...jsonRouteErrors,
    200: jsonContent(TokenResponse, 'A new token pair; the presented refresh token is retired'),
    401: errorResponse(
      'TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_REVOKED or TOKEN_REUSED (the whole session is then revoked)',
    ),
    423: errorResponse('ACCOUNT_LOCKED'),
  },
});

const logoutRoute = createRoute({
  method: 'post',
  path: '/api/auth/logout',
  middleware: [gate({ limit: 'logout' }), jsonBody] as const,
  request: { body: { content: { 'application/json': { schema: RefreshBody } }, required: true } },
  responses: {
    ...jsonRouteErrors,
    204: { description: 'Signed out (also for an unknown token: logout is idempotent)' },
  },
});

const logoutAllRoute = createRoute({
  method: 'post',
  path: '/api/auth/logout-all',
  middleware: [gate({ bearer: true }), noBody] as const,
  security: [{ bearer: [] }],
  responses: {
    ...bearerErrors,
    200: jsonContent(z.object({ revoked: z.number().int() }), 'Every session of the caller revoked'),
    413: errorResponse('PAYLOAD_TOO_LARGE: any body sent is capped at 16 KiB'),
  },
});

const refreshFailures: Record<
  Exclude<RefreshOutcome, 'rotated'>,
  { code: ErrorCode; message: string; event: EventType }
> = {
  unknown: { code: 'TOKEN_INVALID', message: 'refresh token is not valid', event: 'token_invalid' },
  expired: { code: 'TOKEN_EXPIRED', message: 'refresh token has expired; sign in again', event: 'token_expired' },
  revoked: { code: 'TOKEN_REVOKED', message: 'this session has been signed out', event: 'token_revoked' },
  locked: { code: 'ACCOUNT_LOCKED', message: 'this account is locked; try again later', event: 'suspicious_activity' },
  reused: {
    code: 'TOKEN_REUSED',
    message: 'refresh token was already used; the session has been revoked',
    event: 'session_hijack_attempt',
  },
};

export function tokenRoutes(deps: AuthDeps) {
  const app = new OpenAPIHono<AuthHonoEnv>({ defaultHook: validationHook });

  app.openapi(refreshRoute, async (c) => {
    const { refreshToken } = c.req.valid('json');
    const events = c.get('events');
    const client = c.get('client');
    const now = deps.clock();
    const result = await refreshSession(await deps.sessionDeps(), refreshToken, client, now);
    const rotation = result.rotation;
    const ids = { userId: rotation?.userId ?? null, tokenId: rotation?.tokenId ?? null };
    if (result.outcome === 'rotated') {
      const r = result.rotation;
      const risk = deps.detect.refreshRisk({ rotation: r, client });
      // Off the critical path: the refresh answers after its one SQL statement.
      c.get('defer')(deps.detect.refresh(events, { rotation: r, client, risk, now }));
      if (risk?.action === 'end_session') {
        // A token that turns up on another device in another country is a stolen copy until proven
        // otherwise: the session ends (its new pair with it) and the owner signs in again.
        const ended = await revokeSession(deps.db, r.sessionId, 'risky_refresh', now);
        events.record('token_revoked', {
          ...ids,
          metadata: { reason: 'risky_refresh', sessionId: r.sessionId, tokensRevoked: ended.tokensRetired },
        });
        throw new ApiError('TOKEN_REVOKED', 'this session has been signed out');
      }
      events.record('token_refreshed', {
        ...ids,
        metadata: { sessionId: r.sessionId, newTokenId: r.newTokenId, ...(risk ? { risk: riskSummary(risk) } : {}) },
      });
      return c.json(result.response, 200);
    }
    const failure = refreshFailures[result.outcome];
    events.record(failure.event, {
      ...ids,
      metadata: { reason: result.outcome, sessionId: rotation?.sessionId ?? null },
    });
    if (result.outcome === 'reused')
      events.record('token_revoked', {
        ...ids,
        metadata: { reason: 'refresh_token_reuse', sessionId: rotation?.sessionId },
      });
    throw new ApiError(failure.code, failure.message);
  });

  app.openapi(logoutRoute, async (c) => {
    const { refreshToken } = c.req.valid('json');
    if (isWellFormedRefreshToken(refreshToken)) {
      const ended = await revokeSessionOfToken(deps.db, await hashRefreshToken(refreshToken), deps.clock());
      if (ended) {
        c.get('events').record('logout', {
          userId: ended.userId,
          metadata: { sessionId: ended.sessionId, tokensRevoked: ended.tokensRetired },
        });
      }
    }
    return c.body(null, 204);
  });

  app.openapi(logoutAllRoute, async (c) => {
    const { sub } = c.get('auth');
    const { live } = await revokeAllSessions(deps.db, sub, 'logout_all', deps.clock());
    c.get('events').record('mass_token_revocation', {
      userId: sub,
      metadata: { reason: 'logout_all', sessions: live },
    });
    return c.json({ revoked: live }, 200);
  });

  return app;
}
