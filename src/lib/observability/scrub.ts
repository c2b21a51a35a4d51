/**
 * What must never leave for Sentry: passwords, tokens, emails, cookies, authorization headers and the
 * client's IP. The SDK's data collection is switched off in sentry-options.ts; these scrubbers are the
 * second line, applied to every kind of envelope item the SDK builds (errors, transactions, spans).
 */
import type { CloudflareOptions, ErrorEvent } from '@sentry/cloudflare';

// The SDK's span and transaction types, as its hooks receive them (not exported by @sentry/cloudflare).
type StreamedSpanJSON = Parameters<NonNullable<CloudflareOptions['beforeSendSpan']>>[0];
type TransactionEvent = Parameters<NonNullable<CloudflareOptions['beforeSendTransaction']>>[0];

const JWT_PATTERN = /eyJ[\w-]+\.[\w-]+\.[\w-]*/g;
const EMAIL_PATTERN = /[^\s"'<>@,;:]+@[^\s"'<>@,;:]+\.[a-z]{2,}/gi;
const IPV4_PATTERN = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;
// Our refresh tokens and anything long and random-looking (base64url of 32+ bytes).
const OPAQUE_TOKEN_PATTERN = /\b[A-Za-z0-9_-]{40,}\b/g;

/**
 * Drizzle's query errors end with the statement's parameters ("params: a@b.com,..."), and
 * @upstash/redis errors with the command ("command was: ..."): emails, keys, values. Those never
 * leave; the statement itself (no values) may.
 */
export function scrubText(text: string): string {
  return text
    .replace(/\bparams:[\s\S]*$/, 'params: [redacted]')
    .replace(/\bcommand was:[\s\S]*$/, 'command was: [redacted]')
    .replace(JWT_PATTERN, '[redacted-jwt]')
    .replace(EMAIL_PATTERN, '[redacted-email]')
    .replace(IPV4_PATTERN, '[redacted-ip]')
    .replace(OPAQUE_TOKEN_PATTERN, '[redacted-token]');
}

/** A URL without its query string or fragment (a token in `?access_token=` never leaves). */
export function scrubUrl(url: string): string {
  return scrubText(url.replace(/[?#].*$/, ''));
}

// Span and transaction attributes that carry request data: bodies, headers, cookies, query strings,
// the client's address, user fields, statement parameters.
const SECRET_ATTRIBUTE = /body|header|cookie|query|param|client|user|peer|forwarded|(^|\.)ip(\.|$)|address/i;
const URL_ATTRIBUTE = /(^|\.)(url|full|target|path)$/i;
const KEPT_ADDRESS = new Set(['server.address']);

/** Span attributes with request data removed and every remaining string scrubbed. */
export function scrubAttributes<T extends Record<string, unknown>>(attributes: T | undefined): T | undefined {
  if (!attributes) return attributes;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (SECRET_ATTRIBUTE.test(key) && !KEPT_ADDRESS.has(key)) continue;
    kept[key] = scrubValue(value, URL_ATTRIBUTE.test(key));
  }
  return kept as T;
}

function scrubValue(value: unknown, isUrl = false): unknown {
  if (typeof value === 'string') return isUrl ? scrubUrl(value) : scrubText(value);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item));
  if (value && typeof value === 'object') {
    // Streamed span attributes may be `{value, type}` pairs.
    const pair = value as { value?: unknown };
    if ('value' in pair) return { ...pair, value: scrubValue(pair.value, isUrl) };
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubValue(item)]));
  }
  return value;
}

type WithRequest = Pick<ErrorEvent, 'request' | 'user' | 'breadcrumbs' | 'extra'>;

function scrubCommon(event: WithRequest): void {
  delete event.user;
  const request = event.request;
  if (request) {
    delete request.data;
    delete request.cookies;
    delete request.query_string;
    delete request.headers;
    delete request.env;
    if (request.url) request.url = scrubUrl(request.url);
  }
  for (const crumb of event.breadcrumbs ?? []) scrubBreadcrumb(crumb);
  // `extra` is ours (ids and reasons, see report.ts): its strings are scrubbed, its keys kept.
  if (event.extra) event.extra = scrubValue(event.extra) as typeof event.extra;
}

type Breadcrumb = Parameters<NonNullable<CloudflareOptions['beforeBreadcrumb']>>[0];

export function scrubBreadcrumb(crumb: Breadcrumb): Breadcrumb {
  if (crumb.message) crumb.message = scrubText(crumb.message);
  if (crumb.data) crumb.data = scrubAttributes(crumb.data);
  return crumb;
}

export function scrubEvent(event: ErrorEvent): ErrorEvent {
  scrubCommon(event);
  if (event.message) event.message = scrubText(event.message);
  for (const exception of event.exception?.values ?? []) {
    if (exception.value) exception.value = scrubText(exception.value);
  }
  return event;
}

export function scrubTransaction(event: TransactionEvent): TransactionEvent {
  scrubCommon(event);
  if (event.transaction) event.transaction = scrubUrl(event.transaction);
  for (const span of event.spans ?? []) {
    span.data = scrubAttributes(span.data) ?? {};
    if (span.description) span.description = scrubUrl(span.description);
  }
  const trace = event.contexts?.trace;
  if (trace?.data) trace.data = scrubAttributes(trace.data);
  return event;
}

export function scrubSpan(span: StreamedSpanJSON): StreamedSpanJSON {
  return { ...span, name: scrubUrl(span.name), attributes: scrubAttributes(span.attributes) ?? {} };
}
