import * as Sentry from '@sentry/cloudflare';
import type { ReportError } from '../http/error-handler';

/** Reports an unexpected error: to Sentry when it is configured, and always to the log (no request data). */
export const reportToSentry: ReportError = (error, context) => {
  console.error(`[error] ${context.method} ${context.path}:`, error instanceof Error ? `${error.name}: ${error.message}` : 'non-Error thrown');
  Sentry.captureException(error, { tags: { method: context.method, path: context.path } });
};
