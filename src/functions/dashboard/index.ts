/** Dashboard Worker entry: env -> dependencies -> Hono app, wrapped by Sentry when it is configured. */
import { dashboardDepsFrom } from './deps';
import { createDashboardApp, type DashboardApp } from './app';
import { sentryOptions, sentrySettingsFrom } from '../../lib/observability/sentry-options';
import { reportToSentry } from '../../lib/observability/report';
import { configErrorResponse } from '../../lib/http/config-error';
import { withSentryWhenConfigured } from '../../lib/observability/with-sentry';

// One app per isolate, not per `env` object: Sentry's wrapper hands each request a new proxy of env.
let app: DashboardApp | undefined;

function appFor(env: DashboardEnv): DashboardApp {
  app ??= createDashboardApp(dashboardDepsFrom(env, reportToSentry));
  return app;
}

export default withSentryWhenConfigured((env: DashboardEnv) => sentryOptions(sentrySettingsFrom(env, undefined)), {
  fetch(request, env, ctx) {
    try {
      return appFor(env).fetch(request, env, ctx);
    } catch (err) {
      return configErrorResponse(err);
    }
  },
} satisfies ExportedHandler<DashboardEnv>);
