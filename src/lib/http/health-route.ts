import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { checkHealth, type Probe } from '../health/health-check';

const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.object({ database: z.enum(['ok', 'error']), redis: z.enum(['ok', 'error']) }),
  error: z.string().optional(),
}).openapi('Health');

const route = createRoute({
  method: 'get', path: '/health',
  responses: {
    200: { description: 'Postgres and Redis answer', content: { 'application/json': { schema: Health } } },
    503: { description: 'A dependency is down; `error` names it', content: { 'application/json': { schema: Health } } },
  },
});

/** `GET /health` for a Worker: 200 when every dependency answers, 503 naming the one that does not. */
export function healthRoute(probes: { database: Probe; redis: Probe }) {
  const app = new OpenAPIHono();
  app.openapi(route, async (c) => {
    const report = await checkHealth(probes);
    c.header('Cache-Control', 'no-store');
    return report.status === 'ok' ? c.json(report, 200) : c.json(report, 503);
  });
  return app;
}
