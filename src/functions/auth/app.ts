/** The auth Worker's Hono app, built from its dependencies (tests build it the same way). */
import { Hono } from 'hono';
import { handleError, notFound } from '../../lib/http/error-handler';
import { healthRoute } from '../../lib/http/health-route';
import { pingDatabase, pingRedis, type AuthDeps } from './deps';

export type AuthApp = Hono<{ Bindings: Env }>;

export function createAuthApp(deps: AuthDeps): AuthApp {
  const app = new Hono<{ Bindings: Env }>();
  app.route('/', healthRoute({ database: pingDatabase(deps.db), redis: pingRedis(deps.redis) }));
  app.onError(handleError(deps.report));
  app.notFound(notFound);
  return app;
}
