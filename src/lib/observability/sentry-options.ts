/**
 * Sentry options for both Workers. @sentry/cloudflare 11 collects request bodies, headers, cookies,
 * query strings and the client IP by default (`dataCollection`), and `beforeSend` sees error events
 * only: so collection is switched off here, explicitly, and every kind of item (errors, transactions,
 * streamed spans) passes a scrubber before it leaves (scrub.ts).
 */
import type { CloudflareOptions } from '@sentry/cloudflare';
import { sentryEnvSchema } from '../config/env-schema';
import { scrubBreadcrumb, scrubEvent, scrubSpan, scrubTransaction } from './scrub';

export { scrubText } from './scrub';

export interface SentrySettings {
  dsn: string | undefined;
  environment: string;
  /** 0 to 1: the share of requests traced. */
  tracesSampleRate: number;
  /** SENTRY_RELEASE, else the Worker's version id (version metadata binding); undefined when neither. */
  release: string | undefined;
}

export function sentryOptions(settings: SentrySettings): CloudflareOptions | undefined {
  if (!settings.dsn) return undefined; // no DSN: Sentry stays off
  return {
    dsn: settings.dsn,
    environment: settings.environment,
    release: settings.release,
    tracesSampleRate: settings.tracesSampleRate,
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      databaseQueryData: false,
      queues: false,
      stackFrameVariables: false,
      graphQL: { document: false, variables: false },
      genAI: { inputs: false, outputs: false },
    },
    beforeSend: scrubEvent,
    beforeSendTransaction: scrubTransaction,
    beforeSendSpan: scrubSpan,
    beforeBreadcrumb: scrubBreadcrumb,
  };
}

const DEFAULT_TRACES_SAMPLE_RATE = { production: 0.1, development: 1, test: 1 } as const;

/**
 * The Sentry settings from the Worker's variables (validated by `sentryEnvSchema`). A bad value turns
 * Sentry off here; the Worker's own config check then answers 500 naming the variable.
 */
export function sentrySettingsFrom(env: unknown, versionId: string | undefined): SentrySettings {
  const parsed = sentryEnvSchema.safeParse(env);
  if (!parsed.success) return { dsn: undefined, environment: 'production', tracesSampleRate: 0, release: undefined };
  const vars = parsed.data;
  return {
    dsn: vars.SENTRY_DSN,
    environment: vars.ENVIRONMENT,
    tracesSampleRate: vars.SENTRY_TRACES_SAMPLE_RATE ?? DEFAULT_TRACES_SAMPLE_RATE[vars.ENVIRONMENT],
    release: vars.SENTRY_RELEASE ?? versionId,
  };
}
