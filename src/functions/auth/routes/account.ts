/** Bearer routes about the caller: GET /api/auth/me, GET /api/auth/sessions, DELETE /api/auth/sessions/:id. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AuthHonoEnv } from '../context';
import type { AuthDeps } from '../deps';
import { Session, User, bearerErrors, errorResponse, jsonContent } from '../schemas';
import { noBody } from '../../../lib/http/json-body';
import { validationHook } from '../../../lib/http/validation';
import { ApiError } from '../../../lib/http/errors';
import { gate } from '../route-gate';
import { listActiveSessions, revokeSession } from '../../../lib/sessions/session-store';

// A Bearer route's gate authenticates the caller (route-gate.ts): `auth` and `user` are set after it.
const meRoute = createRoute({
  method: 'get',
  path: '/api/auth/me',
  middleware: [gate({ bearer: true })] as const,
  security: [{ bearer: [] }],
  responses: { 200: jsonContent(z.object({ user: User }), 'The caller'), ...bearerErrors },
});

const sessionsRoute = createRoute({
  method: 'get',
  path: '/api/auth/sessions',
  middleware: [gate({ bearer: true })] as const,
  security: [{ bearer: [] }],
  responses: {
    200: jsonContent(
      z.object({ sessions: z.array(Session) }),
      'The caller’s active sessions, most recently used first',
    ),
    ...bearerErrors,
  },
});

const revokeRoute = createRoute({
  method: 'delete',
  path: '/api/auth/sessions/{id}',
  middleware: [gate({ bearer: true }), noBody] as const,
  security: [{ bearer: [] }],
  request: { params: z.object({ id: z.uuid({ message: 'must be a session id' }) }) },
  responses: {
    ...bearerErrors,
    204: { description: 'Session revoked' },
    400: errorResponse('VALIDATION_ERROR: the id is not a uuid'),
    404: errorResponse('Not one of the caller’s active sessions'),
  },
});

export function accountRoutes(deps: AuthDeps) {
  const app = new OpenAPIHono<AuthHonoEnv>({ defaultHook: validationHook });

  // The gate's Bearer check already read the user (one query for both).
  app.openapi(meRoute, (c) => c.json({ user: c.get('user') }, 200));

  app.openapi(sessionsRoute, async (c) => {
    const { sub, sid } = c.get('auth');
    const sessions = await listActiveSessions(deps.db, sub, deps.clock());
    return c.json(
      {
        sessions: sessions.map((s) => ({
          ...s,
          createdAt: s.createdAt.toISOString(),
          lastUsedAt: s.lastUsedAt.toISOString(),
          expiresAt: s.expiresAt.toISOString(),
          current: s.id === sid,
        })),
      },
      200,
    );
  });

  app.openapi(revokeRoute, async (c) => {
    const { sub } = c.get('auth');
    const { id } = c.req.valid('param');
    const ended = await revokeSession(deps.db, id, 'user_revoked', deps.clock(), sub);
    if (ended.sessions === 0) throw new ApiError('NOT_FOUND', 'no such active session');
    c.get('events').record('token_revoked', {
      userId: sub,
      metadata: { reason: 'user_revoked', sessionId: id, tokensRevoked: ended.tokensRetired },
    });
    return c.body(null, 204);
  });

  return app;
}
