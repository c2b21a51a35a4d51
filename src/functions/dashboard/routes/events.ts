/**
 * GET /api/auth/security/events: the security-event log, newest first, filtered, paged by an opaque
 * cursor (src/lib/paging/cursor.ts) over (created_at, id) with no ceiling on depth.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { DashboardDeps } from '../deps';
import type { AdminVariables } from '../admin-events';
import { EVENT_SEVERITY, type EventType } from '../../../lib/events/event-types';
import { searchEvents, type EventFilters } from '../../../lib/events/event-search';
import { canonicalFilters } from '../../../lib/paging/cursor';
import { text, validationHook } from '../../../lib/http/validation';
import { errorResponse } from '../../../lib/http/openapi';
import { adminOnlyErrors } from '../admin-auth';
import { cursorParam, invalidQuery, isPositionTime, nextCursor, openPosition } from '../page-cursor';

const EVENT_TYPES = Object.keys(EVENT_SEVERITY) as [EventType, ...EventType[]];
const SEVERITIES = ['info', 'warning', 'high', 'critical'] as const;
/** An IPv4 or IPv6 address as the events record it (CF-Connecting-IP): hex digits, dots and colons. */
const IP_TEXT = /^[0-9A-Fa-f.:]+$/;
const instant = (what: string) =>
  z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: `${what}, ISO-8601 (inclusive)`, example: '2026-12-01T00:00:00Z' });

export const SecurityEventSchema = z
  .object({
    id: z.number().int(),
    type: z.string().openapi({ example: 'failed_login_attempt' }),
    severity: z.enum(SEVERITIES),
    userId: z.string().nullable(),
    tokenId: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    country: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .openapi('SecurityEvent');

const listRoute = createRoute({
  method: 'get',
  path: '/api/auth/security/events',
  security: [{ bearer: [] }],
  request: {
    query: z.object({
      type: z
        .enum(EVENT_TYPES)
        .optional()
        .openapi({ description: 'One event type (docs/CONTRACT.md, Security events)' }),
      severity: z.enum(SEVERITIES).optional(),
      userId: z.uuid().optional(),
      ip: text(1, 45)
        .refine((s) => IP_TEXT.test(s), { message: 'must be an IPv4 or IPv6 address' })
        .optional(),
      from: instant('Events at or after this instant'),
      to: instant('Events at or before this instant'),
      limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: '1 to 200, default 50' }),
      cursor: cursorParam,
    }),
  },
  responses: {
    200: {
      description: 'One page of events, newest first; nextCursor is null on the last page',
      content: {
        'application/json': {
          schema: z.object({ events: z.array(SecurityEventSchema), nextCursor: z.string().nullable() }),
        },
      },
    },
    400: errorResponse('VALIDATION_ERROR: a bad filter, limit, or a malformed, altered or mismatched cursor'),
    ...adminOnlyErrors,
  },
});

export function eventRoutes(deps: Pick<DashboardDeps, 'db' | 'cursorKey'>) {
  const app = new OpenAPIHono<{ Variables: AdminVariables }>({ defaultHook: validationHook });
  app.openapi(listRoute, async (c) => {
    const { limit, cursor, ...query } = c.req.valid('query');
    const filters: EventFilters = {
      type: query.type,
      severity: query.severity,
      userId: query.userId,
      ip: query.ip,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
    };
    if (filters.from && filters.to && filters.from > filters.to) throw invalidQuery('from', 'must not be after to');
    // Bound to the filters as the client wrote them: a cursor only continues the list it came from.
    const bound = canonicalFilters({ ...query, from: filters.from?.toISOString(), to: filters.to?.toISOString() });
    const key = await deps.cursorKey();
    const after = await openPosition(key, cursor, bound, ([at, id]) =>
      isPositionTime(at) && Number.isSafeInteger(id) ? { at, id: id as number } : undefined,
    );
    const page = await searchEvents(deps.db, filters, after, limit);
    return c.json(
      {
        events: page.events,
        nextCursor: await nextCursor(key, page.next && [page.next.at, page.next.id], bound),
      },
      200,
    );
  });
  return app;
}
