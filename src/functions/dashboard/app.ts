/** The dashboard Worker's Hono app, built from its dependencies. */
import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import { handleError, notFound } from '../../lib/http/error-handler';
import { healthRoute } from '../../lib/http/health-route';
import type { DashboardDeps } from './deps';

export type DashboardApp = Hono<{ Bindings: DashboardEnv }>;

export function createDashboardApp(deps: DashboardDeps): DashboardApp {
  const app = new Hono<{ Bindings: DashboardEnv }>();
  app.route('/', healthRoute({ database: () => deps.db.execute(sql`select 1`), redis: () => deps.redis.ping() }));
  app.onError(handleError(deps.report));
  app.notFound(notFound);
  return app;
}
