/**
 * Auth Worker entry: env -> dependencies -> Hono app, wrapped by Sentry. Kept thin on purpose:
 * nothing here decides anything.
 */
import * as Sentry from '@sentry/cloudflare';
import { authDepsFrom } from './deps';
import { createAuthApp, type AuthApp } from './app';
import { sentryOptions } from '../../lib/observability/sentry-options';
import { reportToSentry, signalToSentry } from '../../lib/observability/report';
import { configErrorResponse } from '../../lib/http/config-error';
import { runScheduledJobs } from '../../../cron/run-scheduled';

const apps = new WeakMap<object, AuthApp>();

function appFor(env: Env): AuthApp {
  let app = apps.get(env);
  if (!app) {
    app = createAuthApp(authDepsFrom(env, reportToSentry, signalToSentry));
    apps.set(env, app);
  }
  return app;
}

export default Sentry.withSentry(
  (env: Env) => sentryOptions({ dsn: env.SENTRY_DSN, environment: env.ENVIRONMENT }),
  {
    fetch(request, env, ctx) {
      try {
        return appFor(env).fetch(request, env, ctx);
      } catch (err) {
        return configErrorResponse(err);
      }
    },
    scheduled(controller, env, ctx) {
      ctx.waitUntil(runScheduledJobs(authDepsFrom(env, reportToSentry), controller.cron, new Date(controller.scheduledTime)));
    },
  } satisfies ExportedHandler<Env>,
);
