/**
 * Sentry options for both Workers. No PII by default, and a scrubber that removes what must never
 * leave (PII is off by default in the SDK): authorization and cookie headers, request bodies (passwords, refresh tokens), and any
 * JWT-looking string in a message.
 */
import type { CloudflareOptions, ErrorEvent } from '@sentry/cloudflare';

const SECRET_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'upstash-sync-token', 'neon-connection-string']);
const JWT_PATTERN = /eyJ[\w-]+\.[\w-]+\.[\w-]*/g;

/**
 * Drizzle's query errors end with the statement's parameters ("params: a@b.com,..."), and
 * @upstash/redis errors with the command ("command was: ..."): emails, keys, values. Those never
 * leave; the statement itself (no values) may.
 */
export function scrubText(text: string): string {
  return text
    .replace(/\bparams:[\s\S]*$/, 'params: [redacted]')
    // @upstash/redis appends the failed command with its keys and values ("command was: [[...]]").
    .replace(/\bcommand was:[\s\S]*$/, 'command was: [redacted]')
    .replace(JWT_PATTERN, '[redacted-jwt]');
}

export function scrubEvent(event: ErrorEvent): ErrorEvent {
  const request = event.request;
  if (request) {
    delete request.data;
    delete request.cookies;
    if (request.headers) {
      for (const name of Object.keys(request.headers)) {
        if (SECRET_HEADERS.has(name.toLowerCase())) request.headers[name] = '[redacted]';
      }
    }
  }
  if (event.message) event.message = scrubText(event.message);
  for (const exception of event.exception?.values ?? []) {
    if (exception.value) exception.value = scrubText(exception.value);
  }
  return event;
}

export function sentryOptions(settings: { dsn: string | undefined; environment: string }): CloudflareOptions | undefined {
  if (!settings.dsn) return undefined; // no DSN: Sentry stays off (local runs and tests)
  return {
    dsn: settings.dsn,
    environment: settings.environment,
    tracesSampleRate: 0.1,
    beforeSend: scrubEvent,
  };
}
