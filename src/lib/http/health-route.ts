import { Hono } from 'hono';
import { checkHealth, type Probe } from '../health/health-check';

/** `GET /health` for a Worker: 200 when every dependency answers, 503 naming the one that does not. */
export function healthRoute(probes: { database: Probe; redis: Probe }) {
  return new Hono().get('/health', async (c) => {
    const report = await checkHealth(probes);
    c.header('Cache-Control', 'no-store');
    return c.json(report, report.status === 'ok' ? 200 : 503);
  });
}
