/** GET /api/auth/security/maintenance: the recent scheduled runs, with what each did (cron_runs). */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { DashboardDeps } from '../deps';
import type { AdminVariables } from '../admin-events';
import { recentRuns } from '../../../lib/maintenance/run-history';
import { validationHook } from '../../../lib/http/validation';
import { errorResponse } from '../../../lib/http/openapi';
import { adminOnlyErrors } from '../admin-auth';

const Run = z
  .object({
    id: z.number().int(),
    job: z.string().openapi({ example: 'nightly-maintenance' }),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    status: z.enum(['running', 'succeeded', 'partial', 'failed', 'interrupted', 'skipped']),
    details: z.record(z.string(), z.unknown()).openapi({
      description:
        'What the run did: counts per step, the database figures and alerts (nightly-maintenance), a scrubbed error (failed). docs/maintenance.md',
    }),
  })
  .openapi('MaintenanceRun');

const listRoute = createRoute({
  method: 'get',
  path: '/api/auth/security/maintenance',
  security: [{ bearer: [] }],
  request: {
    query: z.object({
      job: z.string().min(1).max(64).optional().openapi({
        description: 'Only this job (nightly-maintenance, drain-event-outbox, refresh-metrics-rollup, deliver-alerts)',
      }),
      limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: '1 to 100, default 20' }),
    }),
  },
  responses: {
    200: {
      description: 'Recent runs, newest first',
      content: { 'application/json': { schema: z.object({ runs: z.array(Run) }) } },
    },
    400: errorResponse('VALIDATION_ERROR: a bad limit or job'),
    ...adminOnlyErrors,
  },
});

export function maintenanceRoutes(deps: DashboardDeps) {
  const app = new OpenAPIHono<{ Variables: AdminVariables }>({ defaultHook: validationHook });
  app.openapi(listRoute, async (c) => {
    const { job, limit } = c.req.valid('query');
    const runs = await recentRuns(deps.db, { job, limit });
    return c.json(
      {
        runs: runs.map((r) => ({
          id: r.id,
          job: r.job,
          startedAt: r.startedAt.toISOString(),
          finishedAt: r.finishedAt?.toISOString() ?? null,
          status: r.status,
          details: r.details,
        })),
      },
      200,
    );
  });
  return app;
}
