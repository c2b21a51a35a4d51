import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { checkHealth, type Probe } from './health-check';

const Health = z
  .object({
    status: z.enum(['ok', 'degraded']),
    checks: z.object({ database: z.enum(['ok', 'error']), redis: z.enum(['ok', 'error']) }),
    error: z.string().optional(),
    eventQueue: z
      .object({
        outbox: z
          .number()
          .int()
          .openapi({ description: 'security events waiting for Postgres (drained every 5 minutes)' }),
        deadLetter: z
          .number()
          .int()
          .openapi({ description: 'events Postgres refused; kept for an operator (docs/storage.md)' }),
      })
      .optional(),
  })
  .openapi('Health');

const route = createRoute({
  method: 'get',
  path: '/health',
  responses: {
    200: { description: 'Postgres and Redis answer', content: { 'application/json': { schema: Health } } },
    503: { description: 'A dependency is down; `error` names it', content: { 'application/json': { schema: Health } } },
  },
});

/** `GET /health` for a Worker: 200 when every dependency answers, 503 naming the one that does not. */
export function healthRoute(probes: {
  database: Probe;
  redis: Probe;
  eventQueue: () => Promise<{ outbox: number; deadLetter: number }>;
}) {
  const app = new OpenAPIHono();
  app.openapi(route, async (c) => {
    const [report, eventQueue] = await Promise.all([
      checkHealth({ database: probes.database, redis: probes.redis }),
      // Its failure is the redis check's to tell: the lengths are left out then.
      probes.eventQueue().catch(() => undefined),
    ]);
    if (eventQueue) Object.assign(report, { eventQueue });
    c.header('Cache-Control', 'no-store');
    return report.status === 'ok' ? c.json(report, 200) : c.json(report, 503);
  });
  return app;
}
