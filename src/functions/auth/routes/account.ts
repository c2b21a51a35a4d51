/** Bearer routes about the caller: GET /api/auth/me, GET /api/auth/sessions, DELETE /api/auth/sessions/:id. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AuthHonoEnv } from '../context';
import type { AuthDeps } from '../deps';
import { Session, User, errorResponse, jsonContent } from '../schemas';
import { noBody } from '../../../lib/http/json-body';
import { validationHook } from '../../../lib/http/validation';
import { ApiError } from '../../../lib/http/errors';
import { bearerAuth } from '../../../lib/http/bearer-auth';
import { findUserById, toPublicUser } from '../../../lib/users/user-store';
import { listActiveSessions, revokeSession } from '../../../lib/sessions/session-store';

const unauthorized = errorResponse('UNAUTHORIZED or a TOKEN_* code');

const meRoute = createRoute({
  method: 'get', path: '/api/auth/me', security: [{ bearer: [] }],
  responses: { 200: jsonContent(z.object({ user: User }), 'The caller'), 401: unauthorized },
});

const sessionsRoute = createRoute({
  method: 'get', path: '/api/auth/sessions', security: [{ bearer: [] }],
  responses: { 200: jsonContent(z.object({ sessions: z.array(Session) }), 'The caller’s active sessions, most recently used first'), 401: unauthorized },
});

const revokeRoute = createRoute({
  method: 'delete', path: '/api/auth/sessions/{id}', middleware: [noBody] as const, security: [{ bearer: [] }],
  request: { params: z.object({ id: z.uuid({ message: 'must be a session id' }) }) },
  responses: { 204: { description: 'Session revoked' }, 401: unauthorized, 404: errorResponse('Not one of the caller’s active sessions') },
});

export function accountRoutes(deps: AuthDeps) {
  const app = new OpenAPIHono<AuthHonoEnv>({ defaultHook: validationHook });
  app.use('/api/auth/me', bearerAuth(deps.bearer));
  app.use('/api/auth/sessions', bearerAuth(deps.bearer));
  app.use('/api/auth/sessions/*', bearerAuth(deps.bearer));

  app.openapi(meRoute, async (c) => {
    const user = await findUserById(deps.db, c.get('auth').sub);
    if (!user) throw new ApiError('TOKEN_REVOKED', 'this account no longer exists');
    return c.json({ user: toPublicUser(user) }, 200);
  });

  app.openapi(sessionsRoute, async (c) => {
    const { sub, sid } = c.get('auth');
    const sessions = await listActiveSessions(deps.db, sub, deps.clock());
    return c.json({
      sessions: sessions.map((s) => ({
        ...s, createdAt: s.createdAt.toISOString(), lastUsedAt: s.lastUsedAt.toISOString(), expiresAt: s.expiresAt.toISOString(), current: s.id === sid,
      })),
    }, 200);
  });

  app.openapi(revokeRoute, async (c) => {
    const { sub } = c.get('auth');
    const { id } = c.req.valid('param');
    const revoked = await revokeSession(deps.db, id, 'user_revoked', deps.clock(), sub);
    if (revoked === 0) throw new ApiError('NOT_FOUND', 'no such active session');
    await deps.revocations.add([id]).catch((err: unknown) => deps.report(err, { method: 'DELETE', path: 'deny-list' }));
    c.get('events').record('token_revoked', { userId: sub, metadata: { reason: 'user_revoked', sessionId: id, tokensRevoked: revoked } });
    return c.body(null, 204);
  });

  return app;
}
