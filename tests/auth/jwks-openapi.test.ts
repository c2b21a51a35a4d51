/**
 * What a third party relies on to verify our tokens and call our API: GET /.well-known/jwks.json (public
 * keys only, with the kid that signs access tokens), the access token's claims verified with nothing but
 * that JWKS, and GET /openapi.json documenting the contract's routes.
 */
import { env, exports } from 'cloudflare:workers';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { tokenRowsOfUser } from '../support';
import { signUp } from './api';

const ISSUER = env.JWT_ISSUER;
const AUDIENCE = env.JWT_AUDIENCE;

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

async function getJson<T>(path: string): Promise<{ status: number; headers: Headers; body: T }> {
  const res = await exports.default.fetch(new Request(`http://auth.test${path}`));
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}

type OpenApiDoc = {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content?: Record<string, unknown> };
        responses?: Record<string, unknown>;
        security?: Record<string, string[]>[];
      }
    >
  >;
  components?: { securitySchemes?: Record<string, { type?: string; scheme?: string }> };
};

describe('GET /.well-known/jwks.json', () => {
  it('lists the key that signs access tokens: same kid, ES256, public members only', async () => {
    expect(ISSUER).toBeTruthy();
    expect(AUDIENCE).toBeTruthy();
    const account = await signUp();
    const header = decodeProtectedHeader(account.accessToken);
    expect(header.alg).toBe('ES256');
    expect(typeof header.kid).toBe('string');

    const jwks = await getJson<{ keys: JWK[] }>('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Array.isArray(jwks.body.keys)).toBe(true);
    const key = jwks.body.keys.find((k) => k.kid === header.kid);
    expect(key, `kid ${header.kid} not in ${JSON.stringify(jwks.body)}`).toBeDefined();
    expect(key?.alg).toBe('ES256');
    expect(key?.kty).toBe('EC');
    expect(key?.crv).toBe('P-256');
    for (const published of jwks.body.keys) {
      for (const member of PRIVATE_MEMBERS)
        expect(published, `private member ${member} published`).not.toHaveProperty(member);
      expect(typeof published.kid).toBe('string');
    }
    // Kids are unique, so a verifier never has to guess.
    expect(new Set(jwks.body.keys.map((k) => k.kid)).size).toBe(jwks.body.keys.length);
  });

  it('verifies an access token with nothing but the published JWKS, with the contract claims', async () => {
    const account = await signUp();
    const jwks = await getJson<JSONWebKeySet>('/.well-known/jwks.json');
    const { payload, protectedHeader } = await jwtVerify(account.accessToken, createLocalJWKSet(jwks.body), {
      algorithms: ['ES256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['sub', 'sid', 'role', 'iss', 'aud', 'iat', 'exp', 'jti'],
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe(account.user.id);
    expect(payload.role).toBe('user');
    expect(payload.iss).toBe(ISSUER);
    expect([payload.aud].flat()).toContain(AUDIENCE);
    expect(typeof payload.iat).toBe('number');
    expect(typeof payload.exp).toBe('number');
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(120);
    expect(payload.jti).toMatch(/\S{8,}/);
    expect(typeof payload.sid).toBe('string');

    // sid names the session this signup started.
    const rows = await tokenRowsOfUser(account.user.id);
    expect(rows.map((r) => r.sessionId)).toEqual([payload.sid]);
    // No secret travels in the token.
    expect(JSON.stringify(payload)).not.toContain(account.refreshToken);
    expect(payload).not.toHaveProperty('password');
  });

  it('gives every access token its own jti, and each session its own sid', async () => {
    const a = await signUp();
    const b = await signUp();
    const jwks = createLocalJWKSet((await getJson<JSONWebKeySet>('/.well-known/jwks.json')).body);
    const options = { algorithms: ['ES256'], issuer: ISSUER, audience: AUDIENCE };
    const [pa, pb] = await Promise.all([
      jwtVerify(a.accessToken, jwks, options),
      jwtVerify(b.accessToken, jwks, options),
    ]);
    expect(pa.payload.jti).not.toBe(pb.payload.jti);
    expect(pa.payload.sid).not.toBe(pb.payload.sid);
  });

  it('is what the service itself trusts: a token it issues is accepted by /me after the JWKS check', async () => {
    const account = await signUp();
    const jwks = createLocalJWKSet((await getJson<JSONWebKeySet>('/.well-known/jwks.json')).body);
    await expect(
      jwtVerify(account.accessToken, jwks, { algorithms: ['ES256'], issuer: ISSUER, audience: AUDIENCE }),
    ).resolves.toBeTruthy();
    // And the same token under another audience or issuer does not verify (the claims are really set).
    await expect(
      jwtVerify(account.accessToken, jwks, { algorithms: ['ES256'], issuer: ISSUER, audience: 'someone-else' }),
    ).rejects.toThrow();
    await expect(
      jwtVerify(account.accessToken, jwks, {
        algorithms: ['ES256'],
        issuer: 'https://evil.example',
        audience: AUDIENCE,
      }),
    ).rejects.toThrow();
    const me = await exports.default.fetch(
      new Request('http://auth.test/api/auth/me', { headers: { authorization: `Bearer ${account.accessToken}` } }),
    );
    expect(me.status).toBe(200);
  });
});

describe('GET /openapi.json', () => {
  const contractRoutes: [string, string][] = [
    ['post', '/api/auth/signup'],
    ['post', '/api/auth/login'],
    ['post', '/api/auth/google'],
    ['post', '/api/auth/refresh'],
    ['post', '/api/auth/logout'],
    ['post', '/api/auth/logout-all'],
    ['get', '/api/auth/me'],
    ['get', '/api/auth/sessions'],
    ['delete', '/api/auth/sessions/{id}'],
  ];
  const successStatus: Record<string, string> = {
    '/api/auth/signup': '201',
    '/api/auth/login': '200',
    '/api/auth/google': '200',
    '/api/auth/refresh': '200',
    '/api/auth/logout': '204',
    '/api/auth/logout-all': '200',
    '/api/auth/me': '200',
    '/api/auth/sessions': '200',
    '/api/auth/sessions/{id}': '204',
  };
  const bearerRoutes = ['/api/auth/logout-all', '/api/auth/me', '/api/auth/sessions', '/api/auth/sessions/{id}'];
  const jsonBodyRoutes = [
    '/api/auth/signup',
    '/api/auth/login',
    '/api/auth/google',
    '/api/auth/refresh',
    '/api/auth/logout',
  ];

  it('is an OpenAPI 3.1 document of every auth route of the contract, with its success status', async () => {
    const res = await getJson<OpenApiDoc>('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.openapi).toMatch(/^3\.1\.\d+$/);
    for (const [method, path] of contractRoutes) {
      const operation = res.body.paths?.[path]?.[method];
      expect(operation, `${method.toUpperCase()} ${path} is not documented`).toBeDefined();
      expect(Object.keys(operation?.responses ?? {}), `${method.toUpperCase()} ${path}`).toContain(successStatus[path]);
    }
  });

  it('documents a JSON request body for each JSON route, and the Bearer requirement of each Bearer route', async () => {
    const doc = (await getJson<OpenApiDoc>('/openapi.json')).body;
    for (const path of jsonBodyRoutes) {
      expect(Object.keys(doc.paths[path]?.post?.requestBody?.content ?? {}), path).toContain('application/json');
    }
    const schemes = doc.components?.securitySchemes ?? {};
    for (const path of bearerRoutes) {
      const operations = Object.values(doc.paths[path] ?? {});
      expect(operations.length, path).toBeGreaterThan(0);
      for (const operation of operations) {
        const names = (operation.security ?? []).flatMap((requirement) => Object.keys(requirement));
        expect(names.length, `${path} has no security requirement`).toBeGreaterThan(0);
        expect(
          names.some((name) => schemes[name]?.type === 'http' && schemes[name]?.scheme?.toLowerCase() === 'bearer'),
          path,
        ).toBe(true);
        expect(Object.keys(operation.responses ?? {}), path).toContain('401');
      }
    }
  });

  it('documents the common-rule errors of every JSON route (400, 413, 415, and 429 where rate limited)', async () => {
    const doc = (await getJson<OpenApiDoc>('/openapi.json')).body;
    const missing: string[] = [];
    for (const path of jsonBodyRoutes) {
      const documented = Object.keys(doc.paths[path]?.post?.responses ?? {});
      for (const status of ['400', '413', '415', '429'])
        if (!documented.includes(status)) missing.push(`POST ${path} ${status}`);
    }
    expect(missing).toEqual([]);
  });

  it("documents the Worker's other routes too: GET /.well-known/jwks.json and GET /health", async () => {
    const doc = (await getJson<OpenApiDoc>('/openapi.json')).body;
    expect(doc.paths['/.well-known/jwks.json']?.get, 'GET /.well-known/jwks.json').toBeDefined();
    expect(doc.paths['/health']?.get, 'GET /health').toBeDefined();
  });
});
