/**
 * CORS on the auth Worker (CORS_ALLOWED_ORIGINS): the dashboard page on another origin may sign in and
 * refresh from a browser; any other origin gets no CORS header, and with the variable empty none does.
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createAuthApp } from '../../src/functions/auth/app';
import { buildAuthDeps } from '../../src/functions/auth/deps';
import { authEnvSchema, ConfigError, parseEnv } from '../../src/lib/config/env-schema';

const PAGE = 'http://127.0.0.1:8788';

function appWith(origins: string) {
  return createAuthApp(
    buildAuthDeps(parseEnv(authEnvSchema, { ...env, CORS_ALLOWED_ORIGINS: origins }), { report: () => undefined }),
  );
}

async function call(app: ReturnType<typeof appWith>, init: RequestInit & { origin: string }) {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request('http://auth.test/api/auth/login', { ...init, headers: { ...init.headers, Origin: init.origin } }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

const preflight = { method: 'OPTIONS', headers: { 'Access-Control-Request-Method': 'POST' } };

describe('CORS on the auth Worker', () => {
  it('answers a preflight from a listed origin, naming it, and lets it read a login reply', async () => {
    const app = appWith(` ${PAGE}/ , https://dash.example.com`);
    const res = await call(app, {
      ...preflight,
      headers: { ...preflight.headers, 'Access-Control-Request-Headers': 'content-type' },
      origin: PAGE,
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();

    const login = await call(app, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': '198.51.100.77' },
      body: JSON.stringify({ email: `cors-${crypto.randomUUID()}@example.com`, password: 'not the password' }),
      origin: PAGE,
    });
    expect(login.status).toBe(401);
    expect(login.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(login.headers.get('access-control-expose-headers')).toContain('Retry-After');
  });

  it('names no other origin', async () => {
    const res = await call(appWith(PAGE), { ...preflight, origin: 'https://evil.example' });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends no CORS header at all when the variable is empty (the default)', async () => {
    const res = await call(appWith(''), { ...preflight, origin: PAGE });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a value that is not a list of origins, naming the variable', () => {
    for (const bad of ['*', 'https://dash.example.com/path', 'ftp://x.example', 'not a url'])
      expect(() => parseEnv(authEnvSchema, { ...env, CORS_ALLOWED_ORIGINS: bad }), bad).toThrow(ConfigError);
  });
});
