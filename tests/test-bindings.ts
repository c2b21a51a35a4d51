/**
 * The bindings the Workers under test get: the test stack's URLs, a signing key made for this run
 * (never committed), and short settings where a test needs them. Runs in Node, from vitest.config.ts.
 */
import { exportJWK, generateKeyPair } from 'jose';
import { stackProfile, workerBindings } from '../scripts/stack/profile.ts';

// Each run gets its own ports unless told otherwise, so two runs at once (a developer's and an
// editor's, or CI's and a benchmark) never stop each other's Redis or Postgres.
process.env.STACK_TEST_BASE_PORT ??= String(20_000 + 100 * Math.floor(Math.random() * 90));

export const testProfile = stackProfile('test');

export async function makeSigningKeys(): Promise<{ privateJwk: string; publicJwks: string }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `test-${Date.now().toString(36)}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { privateJwk: JSON.stringify(privateJwk), publicJwks: JSON.stringify([publicJwk]) };
}

const replaySize = ['full', 'medium'].includes(process.env.REPLAY ?? '') ? (process.env.REPLAY as string) : 'small';

export async function testBindings(): Promise<Record<string, string>> {
  const keys = await makeSigningKeys();
  return {
    ...workerBindings(testProfile),
    ENVIRONMENT: 'test',
    JWT_ISSUER: 'http://127.0.0.1:8787',
    JWT_AUDIENCE: 'edge-auth-api',
    JWT_PRIVATE_JWK: keys.privateJwk,
    JWT_PUBLIC_JWKS: '[]',
    STACK_CONTROL_URL: `http://127.0.0.1:${testProfile.controlPort}`,
    GOOGLE_CLIENT_ID: 'edge-auth-test.apps.googleusercontent.com',
    GOOGLE_JWKS_URL: `http://127.0.0.1:${testProfile.controlPort}/google/jwks.json`,
    // Alerts are posted, signed, to the stack's stand-in receiver (scripts/stack/fake-webhook.ts).
    ALERT_WEBHOOK_URL: `http://127.0.0.1:${testProfile.controlPort}/webhook/alerts`,
    ALERT_WEBHOOK_FORMAT: 'json',
    ALERT_WEBHOOK_SECRET: 'test-webhook-secret-0123456789',
    // tests/replay: `small` in CI, `full` (the issue's ten minutes) from `npm run replay`, or `medium`.
    REPLAY: replaySize,
    // A long replay makes one local isolate do the CPU work of many: give Redis time rather than
    // measure an overloaded laptop's fallbacks (the rules are under test, not the capacity).
    ...(replaySize === 'small' ? {} : { SECURITY_CONFIG: JSON.stringify({ redisTimeoutMs: 5000 }) }),
  };
}
