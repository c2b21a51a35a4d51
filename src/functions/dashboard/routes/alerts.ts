/**
 * Alerts and their lifecycle: GET /api/auth/security/alerts, POST .../alerts/:id/ack and .../resolve.
 * Acknowledging and resolving are admin actions (an admin_action event naming the admin); resolving
 * posts the resolution to the webhook right away when the alert had been posted.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { DashboardDeps } from '../deps';
import { recordAdminAction, type AdminVariables } from '../admin-events';
import { acknowledgeAlert, findAlert, listAlerts, resolveAlert } from '../../../lib/alerts/alert-store';
import { alertView, type AlertView } from '../../../lib/alerts/alert-view';
import { deliverNow } from '../../../lib/alerts/alert-delivery';
import { ALERT_STATUSES } from '../../../lib/storage/schema';
import { ApiError } from '../../../lib/http/errors';
import { jsonBody, noBody } from '../../../lib/http/json-body';
import { text, validationHook } from '../../../lib/http/validation';
import { errorResponse, jsonContent } from '../../../lib/http/openapi';
import { adminOnlyErrors } from '../admin-auth';

const when = z.string().nullable();

export const AlertSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    severity: z.enum(['info', 'warning', 'high', 'critical']),
    userId: z.string().nullable(),
    ip: z.string().nullable(),
    count: z.number().int(),
    firstSeen: z.string(),
    lastSeen: z.string(),
    status: z.enum(ALERT_STATUSES),
    acknowledgedBy: z.string().nullable(),
    acknowledgedAt: when,
    ackNote: z.string().nullable(),
    resolvedAt: when,
    resolvedBy: z.string().nullable().openapi({ description: 'null when it resolved itself after its quiet period' }),
    delivery: z.object({
      status: z.enum(['none', 'pending', 'sent', 'failed']),
      attempts: z.number().int(),
    }),
  })
  .openapi('Alert') satisfies z.ZodType<AlertView>;

const idParam = z.object({ id: z.uuid() });
const notFound = () => new ApiError('NOT_FOUND', 'no such alert');
const alertErrors = {
  400: errorResponse('VALIDATION_ERROR: not an alert id, or a bad body'),
  404: errorResponse('NOT_FOUND: no such alert'),
  ...adminOnlyErrors,
};

const listRoute = createRoute({
  method: 'get',
  path: '/api/auth/security/alerts',
  security: [{ bearer: [] }],
  request: {
    query: z.object({
      status: z.enum(ALERT_STATUSES).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(100),
    }),
  },
  responses: {
    200: jsonContent(z.object({ alerts: z.array(AlertSchema) }), 'Open alerts first, then by latest detection'),
    400: errorResponse('VALIDATION_ERROR: an unknown status or a limit outside 1-200'),
    ...adminOnlyErrors,
  },
});

const ackRoute = createRoute({
  method: 'post',
  path: '/api/auth/security/alerts/{id}/ack',
  middleware: [jsonBody] as const,
  security: [{ bearer: [] }],
  request: {
    params: idParam,
    body: { content: { 'application/json': { schema: z.object({ note: text(1, 1000).optional() }) } } },
  },
  responses: {
    200: jsonContent(z.object({ alert: AlertSchema }), 'Acknowledged (unchanged if it was acknowledged or resolved)'),
    ...alertErrors,
  },
});

const resolveRoute = createRoute({
  method: 'post',
  path: '/api/auth/security/alerts/{id}/resolve',
  middleware: [noBody] as const,
  security: [{ bearer: [] }],
  request: { params: idParam },
  responses: {
    200: jsonContent(z.object({ alert: AlertSchema }), 'Resolved; a later detection opens a new alert'),
    ...alertErrors,
  },
});

export function alertRoutes(deps: Pick<DashboardDeps, 'db' | 'clock' | 'alerting'>) {
  const app = new OpenAPIHono<{ Variables: AdminVariables }>({ defaultHook: validationHook });
  const current = async (id: string) => {
    const found = await findAlert(deps.db, id);
    if (!found) throw notFound();
    return alertView(found);
  };

  app.openapi(listRoute, async (c) => {
    const { status, limit } = c.req.valid('query');
    return c.json({ alerts: (await listAlerts(deps.db, status, limit)).map(alertView) }, 200);
  });

  app.openapi(ackRoute, async (c) => {
    const { id } = c.req.valid('param');
    const admin = c.get('user');
    if (!(await acknowledgeAlert(deps.db, id, admin.id, c.req.valid('json').note, deps.clock()))) throw notFound();
    recordAdminAction(c.get('events'), admin, 'alert_acknowledge', id);
    return c.json({ alert: await current(id) }, 200);
  });

  app.openapi(resolveRoute, async (c) => {
    const { id } = c.req.valid('param');
    const admin = c.get('user');
    const queued = await resolveAlert(deps.db, id, admin.id, deps.clock());
    if (!queued) throw notFound();
    recordAdminAction(c.get('events'), admin, 'alert_resolve', id);
    if (queued.length > 0) c.executionCtx.waitUntil(deliverNow(deps.alerting.delivery, queued));
    return c.json({ alert: await current(id) }, 200);
  });
  return app;
}
