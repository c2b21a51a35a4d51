/** GET /api/auth/security/metrics?window=: what is happening, in figures (docs/metrics.md defines each). */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { DashboardDeps } from '../deps';
import type { AdminVariables } from '../admin-events';
import { securityMetrics } from '../../../lib/metrics/security-metrics';
import { DEFAULT_WINDOW, parseWindow } from '../../../lib/metrics/metrics-window';
import { TOP_EVENT_TYPES } from '../../../lib/metrics/metric-definitions';
import { validationHook } from '../../../lib/http/validation';
import { errorResponse } from '../../../lib/http/openapi';
import { adminOnlyErrors } from '../admin-auth';

const count = (description: string) => z.number().int().min(0).openapi({ description });

const windowed = '(events at or after now minus the window and at or before now)';

const SeriesPoint = z
  .object({
    bucket: z.string().openapi({
      description:
        'Start of the bucket (ISO-8601, UTC, aligned on a multiple of the bucket size). The first and last buckets are partial: only their part inside the window is counted.',
      example: '2026-12-02T10:15:00.000Z',
    }),
    successfulLogins: count('successfulLogins in this bucket'),
    failedLogins: count('failedLogins in this bucket'),
    tokenRefreshes: count('tokenRefreshes in this bucket'),
  })
  .openapi('MetricsSeriesPoint');

const Metrics = z
  .object({
    window: z.string().openapi({ description: 'The window, as asked for', example: '24h' }),
    activeSessions: count('Live sessions now: not revoked, idle expiry ahead (the window does not apply)'),
    activeUsers: count(
      `Distinct users who signed in (login_success, oauth_success, signup_success) or refreshed (token_refreshed) in the window ${windowed}`,
    ),
    successfulLogins: count(`login_success + oauth_success + signup_success events in the window ${windowed}`),
    failedLogins: count(`login_failed + failed_login_attempt + oauth_failed events in the window ${windowed}`),
    tokenRefreshes: count(`token_refreshed events (successful rotations) in the window ${windowed}`),
    rateLimitViolations: count(
      `Requests refused by a rate limit (rate_limit_exceeded) in the window ${windowed}; a folded row counts its metadata.count`,
    ),
    blockedIps: count('IPs (or IPv6 /64s) blocked now (the window does not apply)'),
    openAlerts: count(
      "Alerts with status 'open' now: acknowledged and resolved alerts are not counted (the window does not apply)",
    ),
    topEvents: z
      .array(
        z.object({
          type: z.string(),
          count: count('Events of this type in the window; a folded row counts its metadata.count'),
        }),
      )
      .openapi({
        description: `The ${TOP_EVENT_TYPES} busiest event types in the window, busiest first (ties by name)`,
      }),
    series: z.array(SeriesPoint).openapi({
      description:
        'Every bucket from the one the window starts in to the one now is in, oldest first, zeros where nothing happened. Bucket size: 1 minute for 1h, 15 minutes up to 24h, 1 hour up to 7d, 6 hours beyond.',
    }),
  })
  .openapi('SecurityMetrics');

const metricsRoute = createRoute({
  method: 'get',
  path: '/api/auth/security/metrics',
  security: [{ bearer: [] }],
  request: {
    query: z.object({
      window: z
        .string()
        .default(DEFAULT_WINDOW)
        .refine((w) => parseWindow(w) !== undefined, {
          message: 'must be whole hours from 1h to 720h or whole days from 1d to 30d, e.g. 1h, 12h, 24h, 7d, 30d',
        })
        .openapi({
          description:
            'Whole hours (1h to 720h) or whole days (1d to 30d), lower case, no leading zero: 1h, 12h, 24h, 7d, 30d. Default 24h.',
          example: '24h',
        }),
    }),
  },
  responses: {
    200: {
      description: 'The figures for the window (docs/metrics.md gives each as the query it runs)',
      content: { 'application/json': { schema: Metrics } },
    },
    400: errorResponse('VALIDATION_ERROR: a window outside 1h to 30d, or not in an accepted form'),
    ...adminOnlyErrors,
  },
});

export function metricsRoutes(deps: DashboardDeps) {
  const app = new OpenAPIHono<{ Variables: AdminVariables }>({ defaultHook: validationHook });
  app.openapi(metricsRoute, async (c) => {
    // Validated by the schema above: parseWindow cannot fail here.
    const window = parseWindow(c.req.valid('query').window)!;
    return c.json(await securityMetrics(deps, window, deps.clock()), 200);
  });
  return app;
}
