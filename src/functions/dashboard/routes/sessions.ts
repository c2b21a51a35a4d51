/** GET /api/auth/security/sessions: live sessions with device and location, newest first, paged by cursor. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { DashboardDeps } from '../deps';
import type { AdminVariables } from '../admin-events';
import { searchLiveSessions } from '../../../lib/sessions/session-search';
import { canonicalFilters } from '../../../lib/paging/cursor';
import { validationHook } from '../../../lib/http/validation';
import { errorResponse } from '../../../lib/http/openapi';
import { adminOnlyErrors } from '../admin-auth';
import { cursorParam, isPositionTime, nextCursor, openPosition } from '../page-cursor';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const LiveSessionSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    deviceName: z.string().nullable(),
    ipAddress: z.string().nullable(),
    userAgent: z.string().nullable(),
    country: z.string().nullable(),
    city: z.string().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string(),
    expiresAt: z.string().openapi({ description: 'When the session ends if it is not refreshed again' }),
  })
  .openapi('LiveSession');

const listRoute = createRoute({
  method: 'get',
  path: '/api/auth/security/sessions',
  security: [{ bearer: [] }],
  request: {
    query: z.object({
      userId: z.uuid().optional(),
      country: z
        .string()
        .regex(/^[A-Z0-9]{2}$/, 'must be a two-letter country code, upper case')
        .optional()
        .openapi({ example: 'NL' }),
      limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: '1 to 200, default 50' }),
      cursor: cursorParam,
    }),
  },
  responses: {
    200: {
      description: 'One page of live sessions, newest sign-in first; nextCursor is null on the last page',
      content: {
        'application/json': {
          schema: z.object({ sessions: z.array(LiveSessionSchema), nextCursor: z.string().nullable() }),
        },
      },
    },
    400: errorResponse('VALIDATION_ERROR: a bad filter, limit, or cursor'),
    ...adminOnlyErrors,
  },
});

export function sessionRoutes(deps: Pick<DashboardDeps, 'db' | 'cursorKey' | 'clock'>) {
  const app = new OpenAPIHono<{ Variables: AdminVariables }>({ defaultHook: validationHook });
  app.openapi(listRoute, async (c) => {
    const { limit, cursor, ...filters } = c.req.valid('query');
    const bound = canonicalFilters(filters);
    const key = await deps.cursorKey();
    const after = await openPosition(key, cursor, bound, ([at, id]) =>
      isPositionTime(at) && typeof id === 'string' && UUID.test(id) ? { at, id } : undefined,
    );
    const page = await searchLiveSessions(deps.db, filters, after, limit, deps.clock());
    return c.json(
      { sessions: page.sessions, nextCursor: await nextCursor(key, page.next && [page.next.at, page.next.id], bound) },
      200,
    );
  });
  return app;
}
