/**
 * The dashboard follows the auth Worker's keys: admin tokens are verified against the JWKS the auth
 * Worker publishes, read through the AUTH service binding (the real auth Worker runs beside the
 * dashboard, tests/auth-workers.ts), cached per isolate and fetched again when a token names a kid the
 * cache does not know. So a rotation done by the README's steps locks no admin out.
 */
import { env, exports } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { createDashboardApp } from '../../src/functions/dashboard/app';
import { authServiceOf, buildDashboardDeps, type AuthService } from '../../src/functions/dashboard/deps';
import { ConfigError, dashboardEnvSchema, parseEnv } from '../../src/lib/config/env-schema';
import { loadKeySet } from '../../src/lib/tokens/signing-keys';
import { signAccessToken } from '../../src/lib/tokens/access-token';
import { adminSignedUpAt, logInAt } from './auth-worker';

/** The test-only deployments of the auth Worker (tests/auth-workers.ts). */
const deployments = env as typeof env & { AUTH_ROTATED: Fetcher; AUTH_MISCONFIGURED: Fetcher };

const LIST = '/api/auth/security/blocked-ips';

/**
 * The auth Worker's service as a redeploy changes it: one name, one deployment and then the next.
 * Counts the dashboard's fetches, each of which reaches the real Worker.
 */
interface RedeployableAuth extends AuthService {
  deployment: Fetcher;
  fetches: number;
}

function authService(deployment: Fetcher): RedeployableAuth {
  const service: RedeployableAuth = {
    deployment,
    fetches: 0,
    fetch: (input, init) => {
      service.fetches += 1;
      return service.deployment.fetch(input, init);
    },
  };
  return service;
}

/**
 * A dashboard app of its own (a fresh key cache) over `auth`, built by the Worker's own deps
 * builder, with a clock the test can move (the refetch cooldown is 5 s) and the errors it reports.
 */
function dashboardOver(auth: AuthService) {
  const clock = { skewMs: 0 };
  const reported: unknown[] = [];
  const deps = buildDashboardDeps(
    parseEnv(dashboardEnvSchema, env),
    auth,
    (err) => reported.push(err),
    () => new Date(Date.now() + clock.skewMs),
  );
  const app = createDashboardApp(deps);
  const call = async (path: string, token: string) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`http://dashboard.test${path}`, { headers: { authorization: `Bearer ${token}` } }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };
  return { clock, reported, call };
}

/** A well-formed access token signed by a key nobody publishes, under a kid nobody knows. */
async function forgedToken(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const keys = await loadKeySet(
    { ...(await exportJWK(privateKey)), kid: `forged-${crypto.randomUUID()}`, alg: 'ES256' },
    [],
  );
  const subject = { userId: crypto.randomUUID(), sessionId: crypto.randomUUID(), role: 'admin' as const };
  return (
    await signAccessToken(
      subject,
      keys.signing,
      { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE },
      new Date(),
      900,
    )
  ).token;
}

const kidOf = (token: string) => decodeProtectedHeader(token).kid;

describe("dashboard: admin tokens follow the auth Worker's keys", () => {
  it('verifies an admin token through the AUTH binding, with no copy of the keys in its env', async () => {
    expect(Object.keys(env)).not.toContain('JWT_PUBLIC_JWKS');
    const admin = await adminSignedUpAt(env.AUTH);
    // The real entry: Sentry's wrapper, the isolate's deps, the binding as wrangler.toml declares it.
    const res = await exports.default.fetch(
      new Request(`http://dashboard.test${LIST}`, { headers: { authorization: `Bearer ${admin.token}` } }),
    );
    expect(res.status).toBe(200);
  });

  it('fails fast, naming AUTH, when the service binding is missing', () => {
    expect(() => authServiceOf({ ...env, AUTH: undefined } as unknown as DashboardEnv)).toThrow(ConfigError);
    expect(() => authServiceOf({ ...env, AUTH: undefined } as unknown as DashboardEnv)).toThrow(
      /AUTH: needs the service binding/,
    );
    expect(authServiceOf(env)).toBe(env.AUTH);
  });

  it("accepts a token of the new key after a rotation (one refetch), and still the old key's", async () => {
    const auth = authService(env.AUTH);
    const dashboard = dashboardOver(auth);
    const admin = await adminSignedUpAt(env.AUTH);
    expect((await dashboard.call(LIST, admin.token)).status).toBe(200);
    expect((await dashboard.call(LIST, admin.token)).status).toBe(200);
    expect(auth.fetches).toBe(1); // the key set is cached

    // The README's rotation: a new signing key, the old public key still published; redeployed.
    auth.deployment = deployments.AUTH_ROTATED;
    dashboard.clock.skewMs = 10_000;
    const rotatedToken = await logInAt(deployments.AUTH_ROTATED, admin.email);
    expect(kidOf(rotatedToken)).not.toBe(kidOf(admin.token));

    expect((await dashboard.call(LIST, rotatedToken)).status).toBe(200);
    expect(auth.fetches).toBe(2);
    expect((await dashboard.call(LIST, admin.token)).status).toBe(200); // issued before the rotation
    expect((await dashboard.call(LIST, rotatedToken)).status).toBe(200);
    expect(auth.fetches).toBe(2);
    expect(dashboard.reported).toEqual([]);
  });

  it('refuses tokens of kids nobody publishes with 401, fetching the keys again at most once per cooldown', async () => {
    const auth = authService(env.AUTH);
    const dashboard = dashboardOver(auth);
    const admin = await adminSignedUpAt(env.AUTH);
    expect((await dashboard.call(LIST, admin.token)).status).toBe(200);
    expect(auth.fetches).toBe(1);

    dashboard.clock.skewMs = 10_000;
    const forged = await Promise.all([forgedToken(), forgedToken(), forgedToken()]);
    for (const res of await Promise.all(forged.map((token) => dashboard.call(LIST, token)))) {
      expect(res).toMatchObject({ status: 401, body: { error: 'TOKEN_INVALID' } });
    }
    expect(auth.fetches).toBe(2); // one refetch for the burst
    expect((await dashboard.call(LIST, await forgedToken())).body.error).toBe('TOKEN_INVALID');
    expect(auth.fetches).toBe(2); // within the cooldown: none
    expect((await dashboard.call(LIST, admin.token)).status).toBe(200);
  });

  it('answers 503 SERVICE_UNAVAILABLE, not 500, when the auth Worker cannot give its keys, and reports it', async () => {
    const auth = authService(deployments.AUTH_MISCONFIGURED);
    const dashboard = dashboardOver(auth);
    const admin = await adminSignedUpAt(env.AUTH);
    const res = await dashboard.call(LIST, admin.token);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: 'SERVICE_UNAVAILABLE', message: expect.any(String), retryAfter: 5 });
    expect(res.headers.get('retry-after')).toBe('5');
    expect(auth.fetches).toBe(1);
    expect(dashboard.reported).toHaveLength(1);

    // Back up (redeployed with its key): after the cooldown the next request fetches and verifies.
    auth.deployment = env.AUTH;
    expect((await dashboard.call(LIST, admin.token)).status).toBe(503); // within the cooldown: not hammered
    dashboard.clock.skewMs = 6_000;
    expect((await dashboard.call(LIST, admin.token)).status).toBe(200);
    expect(auth.fetches).toBe(2);
  });
});
