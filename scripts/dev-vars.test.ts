import { beforeAll, describe, expect, it } from 'vitest';
import { readDevVar } from './dev-vars-file.ts';
import { newSigningKey, planDevVars } from './dev-vars.ts';

const stack = {
  DATABASE_URL: 'postgres://postgres:pw@127.0.0.1:15432/auth',
  NEON_FETCH_ENDPOINT: 'http://127.0.0.1:15481/sql',
  UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:15480',
  UPSTASH_REDIS_REST_TOKEN: 'local-dev-upstash-token',
};

let mine: string; // the developer's signing key
let fresh: string; // the key npm run dev would add

beforeAll(async () => {
  [mine, fresh] = await Promise.all([newSigningKey(), newSigningKey()]);
});

describe('planDevVars', () => {
  it("keeps the developer's own variables and signing key, and rewrites the stack's URLs", () => {
    const auth = [
      '# mine',
      "GOOGLE_CLIENT_ID='123-abc.apps.googleusercontent.com'",
      "SENTRY_DSN='https://key@sentry.example/1'",
      `SECURITY_CONFIG='{"rateLimits":{"login":{"limit":50}}}'`,
      "DATABASE_URL='postgres://postgres:pw@127.0.0.1:9999/auth'",
      `JWT_PRIVATE_JWK='${mine}'`,
      "ENVIRONMENT='test'",
      '',
    ].join('\n');
    const plan = planDevVars({ auth, dashboard: '' }, stack, fresh);

    for (const [key, value] of Object.entries({
      GOOGLE_CLIENT_ID: '123-abc.apps.googleusercontent.com',
      SENTRY_DSN: 'https://key@sentry.example/1',
      SECURITY_CONFIG: '{"rateLimits":{"login":{"limit":50}}}',
      JWT_PRIVATE_JWK: mine,
      ENVIRONMENT: 'test',
      JWT_ISSUER: 'http://127.0.0.1:8787',
      ...stack,
    }))
      expect(readDevVar(plan.auth, key), key).toBe(value);
    expect(plan.auth.startsWith("# mine\nGOOGLE_CLIENT_ID='123-abc.apps.googleusercontent.com'\n")).toBe(true);
    expect(readDevVar(plan.dashboard, 'JWT_PRIVATE_JWK')).toBeUndefined(); // the dashboard holds no key
    expect(readDevVar(plan.dashboard, 'DATABASE_URL')).toBe(stack.DATABASE_URL);
    expect(plan.notes).toEqual([]);
  });

  it('changes nothing the second time', () => {
    const first = planDevVars({ auth: '', dashboard: '' }, stack, fresh);
    const second = planDevVars({ auth: first.auth, dashboard: first.dashboard }, stack, mine);
    expect(second).toEqual({ auth: first.auth, dashboard: first.dashboard, notes: [] });
  });

  it('adds a signing key when there is none', () => {
    const plan = planDevVars({ auth: "JWT_PRIVATE_JWK=''\n", dashboard: '' }, stack, fresh);
    expect(readDevVar(plan.auth, 'JWT_PRIVATE_JWK')).toBe(fresh);
    expect(plan.notes).toEqual(['.dev.vars had no JWT_PRIVATE_JWK: generated a signing key']);
  });

  it("keeps the dashboard's own lines", () => {
    const dashboard = "# dashboard\nSENTRY_DSN='https://key@sentry.example/2'\n";
    const plan = planDevVars({ auth: `JWT_PRIVATE_JWK='${mine}'\n`, dashboard }, stack, fresh);
    expect(plan.dashboard.startsWith(dashboard)).toBe(true);
    expect(readDevVar(plan.dashboard, 'UPSTASH_REDIS_REST_URL')).toBe(stack.UPSTASH_REDIS_REST_URL);
  });
});
