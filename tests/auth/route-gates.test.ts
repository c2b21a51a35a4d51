/**
 * Every route of the auth Worker declares its gate (rate limit, IP blocks, bot counting) in its own
 * middleware: a route added without one would silently get no rate limit, so this test lists the
 * app's routes and fails on any that lacks it.
 */
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createAuthApp } from '../../src/functions/auth/app';
import { buildAuthDeps } from '../../src/functions/auth/deps';
import { gate, isRouteGate } from '../../src/functions/auth/route-gate';
import { authEnvSchema, parseEnv } from '../../src/lib/config/env-schema';

/** `METHOD path` of every /api route whose handlers include no route gate. */
function ungatedRoutes(app: Hono<never>): string[] {
  const handlers = new Map<string, unknown[]>();
  for (const r of app.routes) {
    if (!r.path.startsWith('/api/')) continue;
    const key = `${r.method} ${r.path}`;
    handlers.set(key, [...(handlers.get(key) ?? []), r.handler]);
  }
  return [...handlers].filter(([, list]) => !list.some(isRouteGate)).map(([key]) => key);
}

describe('route gates', () => {
  const app = createAuthApp(buildAuthDeps(parseEnv(authEnvSchema, env), { report: () => undefined }));

  it('every /api route of the auth Worker declares one', () => {
    const routes = new Set(app.routes.filter((r) => r.path.startsWith('/api/')).map((r) => `${r.method} ${r.path}`));
    // The contract's routes are all there (the list would be empty if the app were built wrongly).
    for (const route of [
      'POST /api/auth/signup',
      'POST /api/auth/login',
      'POST /api/auth/google',
      'POST /api/auth/refresh',
      'POST /api/auth/logout',
      'POST /api/auth/logout-all',
      'GET /api/auth/me',
      'GET /api/auth/sessions',
      'DELETE /api/auth/sessions/:id',
    ]) {
      expect(routes).toContain(route);
    }
    expect(ungatedRoutes(app as unknown as Hono<never>)).toEqual([]);
  });

  it('the check names a route that has none', () => {
    const sample = new Hono();
    sample.post('/api/with-gate', gate({ limit: 'login' }) as never, (c) => c.text('ok'));
    sample.post('/api/without-gate', (c) => c.text('ok'));
    expect(ungatedRoutes(sample as unknown as Hono<never>)).toEqual(['POST /api/without-gate']);
  });
});
