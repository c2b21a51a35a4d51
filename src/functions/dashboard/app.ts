/** The dashboard Worker's Hono app, built from its dependencies. */
import { OpenAPIHono } from '@hono/zod-openapi';
import { healthProbes } from '../../lib/health/pings';
import { handleError, notFound } from '../../lib/http/error-handler';
import { publishOpenApi } from '../../lib/http/openapi';
import { healthRoute } from '../../lib/health/health-route';
import type { DashboardDeps } from './deps';
import { adminOnly } from './admin-auth';
import { blockedIpRoutes } from './routes/blocked-ips';
import { maintenanceRoutes } from './routes/maintenance';
import { metricsRoutes } from './routes/metrics';
import { eventRoutes } from './routes/events';
import { sessionRoutes } from './routes/sessions';
import { userRoutes } from './routes/users';
import { adminEvents, type AdminVariables } from './admin-events';
import { pageHeaders } from './page-headers';
import { pageRoutes } from './routes/page';
import { perAdminRateLimit } from './admin-rate-limit';
import { alertRoutes } from './routes/alerts';

export type DashboardApp = OpenAPIHono<{ Bindings: DashboardEnv; Variables: AdminVariables }>;

export function createDashboardApp(deps: DashboardDeps): DashboardApp {
  const app: DashboardApp = new OpenAPIHono();
  app.use('*', pageHeaders(deps.config.AUTH_PUBLIC_URL));
  app.route('/', healthRoute(healthProbes(deps.db, deps.redis)));
  app.use('/api/*', adminOnly(deps.bearer));
  app.use('/api/*', adminEvents(deps));
  app.use('/api/*', perAdminRateLimit(deps.adminLimiter, deps.clock));
  app.route('/', blockedIpRoutes(deps));
  app.route('/', maintenanceRoutes(deps));
  app.route('/', metricsRoutes(deps));
  app.route('/', eventRoutes(deps));
  app.route('/', sessionRoutes(deps));
  app.route('/', userRoutes(deps));
  app.route('/', alertRoutes(deps));
  publishOpenApi(app, {
    title: 'Edge Auth: dashboard Worker',
    description: 'Admin-only security API. Every /api route needs an admin access token.',
  });
  // Last: the page's files answer only paths no route above matched (the document is built per request,
  // so /config.json, registered here, is in it).
  app.route('/', pageRoutes(deps));
  app.onError(handleError(deps.report));
  app.notFound(notFound);
  return app;
}
