/**
 * A small client for the auth Worker under test: requests go through the real entry (Sentry wrapper,
 * config, Hono app) via `exports.default.fetch`, as a client's would.
 */
import { exports } from 'cloudflare:workers';

export interface Call {
  method?: string;
  body?: unknown;
  rawBody?: BodyInit;
  token?: string;
  ip?: string;
  headers?: Record<string, string>;
  cf?: Record<string, unknown>;
}

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export async function api<T = Record<string, unknown>>(path: string, call: Call = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = {
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36',
    ...call.headers,
  };
  if (call.body !== undefined) headers['content-type'] ??= 'application/json';
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  if (call.ip) headers['cf-connecting-ip'] = call.ip;
  const init: RequestInit & { cf?: Record<string, unknown> } = {
    method: call.method ?? (call.body !== undefined || call.rawBody !== undefined ? 'POST' : 'GET'),
    headers,
    body: call.rawBody ?? (call.body !== undefined ? JSON.stringify(call.body) : undefined),
  };
  if (call.cf) init.cf = call.cf;
  const res = await exports.default.fetch(new Request(`http://auth.test${path}`, init));
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
}

export const uniqueEmail = (label = 'user') => `${label}-${crypto.randomUUID()}@example.com`;

export const PASSWORD = 'correct horse battery staple';

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  token: string;
  user: { id: string; email: string; name: string; role: string };
}

export async function signUp(
  overrides: { email?: string; password?: string; name?: string; deviceName?: string; ip?: string } = {},
): Promise<Tokens & { email: string }> {
  const email = overrides.email ?? uniqueEmail();
  const res = await api<Tokens>('/api/auth/signup', {
    body: {
      email,
      password: overrides.password ?? PASSWORD,
      name: overrides.name ?? 'Test User',
      deviceName: overrides.deviceName,
    },
    ip: overrides.ip ?? randomIp(),
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body, email };
}

/** A fresh client address per test, so per-IP limits and blocks of one test never touch another. */
export function randomIp(): string {
  const b = crypto.getRandomValues(new Uint8Array(3));
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}
