/**
 * Investigating a user and acting on one: find by email, the user's view (lock, live sessions, last
 * 50 events), and the admin actions revoke-sessions, lock and unlock. Each action is recorded as an
 * admin_action event naming the admin, and takes effect on the auth Worker at once: it reads the
 * session and lock rows on every refresh, sign-in and Bearer request (no cache to wait out).
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { DashboardDeps } from '../deps';
import { recordAdminAction, type AdminVariables } from '../admin-events';
import { findUserByEmail, findUserById } from '../../../lib/accounts/user-store';
import { ADMIN_LOCK, lockUser, unlockUser } from '../../../lib/accounts/account-lock';
import { revokeAllSessions } from '../../../lib/sessions/session-store';
import { searchLiveSessions } from '../../../lib/sessions/session-search';
import { searchEvents } from '../../../lib/events/event-search';
import type { UserRow } from '../../../lib/storage/schema';
import { ApiError } from '../../../lib/http/errors';
import { jsonBody, noBody } from '../../../lib/http/json-body';
import { text, validationHook } from '../../../lib/http/validation';
import { errorResponse, jsonContent } from '../../../lib/http/openapi';
import { adminOnlyErrors } from '../admin-auth';
import { LiveSessionSchema } from './sessions';
import { SecurityEventSchema } from './events';

/** What the user view lists of a user's recent events. */
const USER_EVENTS = 50;
/** A user's live sessions in the view: more than any real user has; the sessions route pages the rest. */
const USER_SESSIONS = 200;
const MAX_LOCK_MINUTES = 525_600;

const AdminUser = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(['user', 'admin']),
    lockedUntil: z.string().nullable(),
    lockReason: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('AdminUserView');

const adminUser = (u: UserRow) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  lockedUntil: u.lockedUntil?.toISOString() ?? null,
  lockReason: u.lockReason,
  createdAt: u.createdAt.toISOString(),
});

const idParam = z.object({ id: z.uuid() });
const notFound = () => new ApiError('NOT_FOUND', 'no such user');
const userActionErrors = {
  400: errorResponse('VALIDATION_ERROR: not a user id'),
  404: errorResponse('NOT_FOUND: no such user'),
  ...adminOnlyErrors,
};

const findRoute = createRoute({
  method: 'get',
  path: '/api/auth/security/users',
  security: [{ bearer: [] }],
  request: { query: z.object({ email: text(3, 254).openapi({ description: 'Exact, case-insensitive' }) }) },
  responses: {
    200: jsonContent(z.object({ users: z.array(AdminUser) }), 'The user with that email (0 or 1 entries)'),
    400: errorResponse('VALIDATION_ERROR: no email, or a bad one'),
    ...adminOnlyErrors,
  },
});

const viewRoute = createRoute({
  method: 'get',
  path: '/api/auth/security/users/{id}',
  security: [{ bearer: [] }],
  request: { params: idParam },
  responses: {
    200: jsonContent(
      z.object({ user: AdminUser, sessions: z.array(LiveSessionSchema), events: z.array(SecurityEventSchema) }),
      'The user, their live sessions (newest first) and their last 50 events',
    ),
    ...userActionErrors,
  },
});

const revokeRoute = createRoute({
  method: 'post',
  path: '/api/auth/security/users/{id}/revoke-sessions',
  middleware: [noBody] as const,
  security: [{ bearer: [] }],
  request: { params: idParam },
  responses: {
    200: jsonContent(
      z.object({ revoked: z.number().int() }),
      'Sessions ended (their access tokens are refused from now on)',
    ),
    ...userActionErrors,
  },
});

const lockRoute = createRoute({
  method: 'post',
  path: '/api/auth/security/users/{id}/lock',
  middleware: [jsonBody] as const,
  security: [{ bearer: [] }],
  request: {
    params: idParam,
    body: {
      content: {
        'application/json': {
          schema: z.object({ minutes: z.number().int().min(1).max(MAX_LOCK_MINUTES).default(30) }),
        },
      },
    },
  },
  responses: {
    200: jsonContent(
      z.object({ user: AdminUser }),
      'Locked: every sign-in is refused until lockedUntil; open sessions go on',
    ),
    ...userActionErrors,
  },
});

const unlockRoute = createRoute({
  method: 'post',
  path: '/api/auth/security/users/{id}/unlock',
  middleware: [noBody] as const,
  security: [{ bearer: [] }],
  request: { params: idParam },
  responses: {
    200: jsonContent(
      z.object({ user: AdminUser }),
      'Unlocked, whatever locked it, with its brute-force detections forgotten',
    ),
    ...userActionErrors,
  },
});

export function userRoutes(deps: Pick<DashboardDeps, 'db' | 'redis' | 'clock'>) {
  const app = new OpenAPIHono<{ Variables: AdminVariables }>({ defaultHook: validationHook });
  const existing = async (id: string) => (await findUserById(deps.db, id)) ?? Promise.reject(notFound());

  app.openapi(findRoute, async (c) => {
    const user = await findUserByEmail(deps.db, c.req.valid('query').email);
    return c.json({ users: user ? [adminUser(user)] : [] }, 200);
  });

  app.openapi(viewRoute, async (c) => {
    const user = await existing(c.req.valid('param').id);
    const [sessions, events] = await Promise.all([
      searchLiveSessions(deps.db, { userId: user.id }, undefined, USER_SESSIONS, deps.clock()),
      searchEvents(deps.db, { userId: user.id }, undefined, USER_EVENTS),
    ]);
    return c.json({ user: adminUser(user), sessions: sessions.sessions, events: events.events }, 200);
  });

  app.openapi(revokeRoute, async (c) => {
    const user = await existing(c.req.valid('param').id);
    const ended = await revokeAllSessions(deps.db, user.id, 'admin_revoked', deps.clock());
    recordAdminAction(c.get('events'), c.get('user'), 'user_revoke_sessions', user.id);
    return c.json({ revoked: ended.live }, 200);
  });

  app.openapi(lockRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { minutes } = c.req.valid('json');
    await existing(id);
    const now = deps.clock();
    await lockUser(deps.db, id, new Date(now.getTime() + minutes * 60_000), ADMIN_LOCK, now);
    recordAdminAction(c.get('events'), c.get('user'), 'user_lock', id);
    return c.json({ user: adminUser(await existing(id)) }, 200);
  });

  app.openapi(unlockRoute, async (c) => {
    const { id } = c.req.valid('param');
    if (!(await unlockUser(deps.db, deps.redis, id, deps.clock()))) throw notFound();
    recordAdminAction(c.get('events'), c.get('user'), 'user_unlock', id);
    return c.json({ user: adminUser(await existing(id)) }, 200);
  });
  return app;
}
