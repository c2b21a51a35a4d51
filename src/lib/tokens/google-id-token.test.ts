import { describe, expect, it } from 'vitest';
import { SignJWT, generateKeyPair } from 'jose';
import { testEnv } from '../../../tests/test-env';
import { googleIdTokenVerifier } from './google-id-token';

async function someIdToken(): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT({ email: 'a@example.com', email_verified: true })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer('https://accounts.google.com')
    .setAudience('client')
    .setSubject('1')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
}

// When Google's keys cannot be fetched, that is an outage (the route answers 503), not a bad token (401).
describe('googleIdTokenVerifier when the key endpoint fails', () => {
  it('throws when nothing listens at the JWKS URL', async () => {
    const verify = googleIdTokenVerifier({ clientId: 'client', jwksUrl: 'http://127.0.0.1:9/jwks.json' });
    await expect(verify(await someIdToken(), new Date())).rejects.toBeDefined();
  });

  it('throws when the JWKS URL answers an error status', async () => {
    const verify = googleIdTokenVerifier({ clientId: 'client', jwksUrl: `${testEnv.STACK_CONTROL_URL}/no-such-jwks` });
    await expect(verify(await someIdToken(), new Date())).rejects.toBeDefined();
  });

  it('answers (not throws) for a bad token when the keys are there', async () => {
    const verify = googleIdTokenVerifier({ clientId: 'client', jwksUrl: testEnv.GOOGLE_JWKS_URL });
    expect(await verify('not-a-jwt', new Date())).toMatchObject({ ok: false });
  });
});
