/**
 * Auth Worker entry: env -> dependencies -> Hono app, wrapped by Sentry when it is configured. Kept thin on purpose:
 * nothing here decides anything.
 */
import { authDepsFrom } from './deps';
import { createAuthApp, type AuthApp } from './app';
import { sentryOptions, sentrySettingsFrom } from '../../lib/observability/sentry-options';
import { sentryObservability } from '../../lib/observability/report';
import { configErrorResponse } from '../../lib/http/config-error';
import { withSentryWhenConfigured } from '../../lib/observability/with-sentry';
import { runScheduledJobs } from '../../../cron/run-scheduled';
import { sentryMonitor } from '../../../cron/sentry-monitor';

// One app per isolate: `env` does not change within an isolate, and the app holds per-isolate state
// (clients, loaded keys, the in-memory rate-limit fallback). Not keyed on the `env` object: Sentry's
// wrapper hands each request a new proxy of it, which would rebuild everything on every request.
let app: AuthApp | undefined;

function appFor(env: Env): AuthApp {
  app ??= createAuthApp(authDepsFrom(env, sentryObservability));
  return app;
}

export default withSentryWhenConfigured(
  (env: Env) => sentryOptions(sentrySettingsFrom(env, env.CF_VERSION_METADATA?.id)),
  {
    fetch(request, env, ctx) {
      try {
        return appFor(env).fetch(request, env, ctx);
      } catch (err) {
        return configErrorResponse(err);
      }
    },
    // Awaited, not left to waitUntil: Sentry flushes (and its cron check-ins leave) when this resolves.
    async scheduled(controller, env, _ctx) {
      const deps = authDepsFrom(env, sentryObservability);
      await runScheduledJobs(
        { ...deps, maintenance: deps.config.MAINTENANCE_CONFIG, monitor: sentryMonitor },
        controller.cron,
        new Date(controller.scheduledTime),
      );
    },
  } satisfies ExportedHandler<Env>,
);
