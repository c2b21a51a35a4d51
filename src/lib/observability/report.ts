import * as Sentry from '@sentry/cloudflare';
import type { ReportError } from '../http/error-handler';
import type { SecurityEvent } from '../events/event-types';
import { scrubText } from './sentry-options';

/** Reports an unexpected error: to Sentry when it is configured, and always to the log (no request data). */
export const reportToSentry: ReportError = (error, context) => {
  console.error(
    `[error] ${context.source} ${context.detail}:`,
    error instanceof Error ? scrubText(`${error.name}: ${error.message}`) : 'non-Error thrown',
  );
  Sentry.captureException(error, { tags: { source: context.source, detail: context.detail } });
};

/** High and critical security events go to Sentry as messages: ids and reasons only, never secrets. */
export function signalToSentry(event: SecurityEvent): void {
  Sentry.captureMessage(`security: ${event.type}`, {
    level: event.severity === 'critical' ? 'error' : 'warning',
    tags: { event_type: event.type, severity: event.severity, country: event.country ?? 'unknown' },
    // No IP: the client's address is personal data and stays in our own event log.
    extra: { userId: event.userId, metadata: event.metadata },
  });
}

/** Errors, security signals, and a flush that waits until they are sent (after the response). */
export const sentryObservability = {
  report: reportToSentry,
  signal: signalToSentry,
  flushSignals: () => Sentry.flush(2000),
};
