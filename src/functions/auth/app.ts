/** The auth Worker's Hono app, built from its dependencies (tests build it the same way). */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { handleError, notFound } from '../../lib/http/error-handler';
import { publishOpenApi } from '../../lib/http/openapi';
import { healthRoute } from '../../lib/health/health-route';
import { clientContext } from '../../lib/client/client-context';
import { RequestEvents, type EventStores } from '../../lib/events/event-log';
import { deliverNow } from '../../lib/alerts/alert-delivery';
import { validationHook } from '../../lib/http/validation';
import type { AuthDeps } from './deps';
import { healthProbes } from '../../lib/health/pings';
import type { AuthHonoEnv } from './context';
import { credentialRoutes } from './routes/credentials';
import { googleRoutes } from './routes/google';
import { tokenRoutes } from './routes/tokens';
import { accountRoutes } from './routes/account';
import { jwksRoutes } from './routes/jwks';
import { gate, gateRunner, openGates, type RunGate } from './route-gate';
import { noStore } from '../../lib/http/no-store';
import { corsFor } from '../../lib/http/cors';

export type AuthApp = OpenAPIHono<AuthHonoEnv>;

/** Who is calling and what they raised: events are written after the response, in one insert. */
function requestScope(deps: AuthDeps, runGate: RunGate): MiddlewareHandler<AuthHonoEnv> {
  return async (c, next) => {
    const client = await clientContext(c.req.raw);
    const events = new RequestEvents(client, deps.clock());
    const deferred: Promise<unknown>[] = [];
    c.set('client', client);
    c.set('events', events);
    c.set('runGate', runGate);
    c.set('defer', (work) => deferred.push(work));
    await next();
    const stores: EventStores = {
      db: deps.db,
      redis: deps.redis,
      report: deps.report,
      signal: deps.signal,
      // The first post leaves right after the detection, in its own waitUntil: a slow receiver delays nothing.
      alerts: {
        policy: deps.alerting.policy,
        deliver: (ids) => c.executionCtx.waitUntil(deliverNow(deps.alerting.delivery, ids)),
      },
    };
    c.executionCtx.waitUntil(
      Promise.allSettled(deferred)
        .then(() => events.flush(stores, deps.writeEvents))
        .then(deps.flushSignals),
    );
  };
}

export interface AuthAppOptions {
  /**
   * The routes' gates (IP blocks, rate limits, bot counting). Off only in the benchmark that
   * measures what the security layer costs; pair it with `noDetection` there.
   * @default true
   */
  securityGate?: boolean;
}

export function createAuthApp(deps: AuthDeps, options: AuthAppOptions = {}): AuthApp {
  const app = new OpenAPIHono<AuthHonoEnv>({ defaultHook: validationHook });
  app.route('/', healthRoute(healthProbes(deps.db, deps.redis)));
  app.route('/', jwksRoutes(deps));
  // First: a preflight (OPTIONS) is answered here, before the gates, the body checks and the event log.
  const cors = corsFor(deps.config.CORS_ALLOWED_ORIGINS);
  if (cors) app.use('/api/*', cors);
  app.use('/api/*', noStore);
  const open = options.securityGate === false;
  app.use('/api/*', requestScope(deps, open ? openGates(deps) : gateRunner(deps)));
  app.route('/', credentialRoutes(deps));
  app.route('/', googleRoutes(deps));
  app.route('/', tokenRoutes(deps));
  app.route('/', accountRoutes(deps));
  // Last: a path no route matched is still counted toward bot detection (scanners probe for paths).
  app.all('/api/*', gate({ unmatched: true }), notFound);

  publishOpenApi(app, {
    title: 'Edge Auth: auth Worker',
    description: 'Sign-up, sign-in, rotating refresh tokens, sessions. Errors are {error, message}.',
  });
  app.onError(handleError(deps.report));
  app.notFound(notFound);
  return app;
}
