/**
 * A stand-in Google issuer for tests: an RS256 key published on the stack's fake Google JWKS (which
 * the Worker fetches as it would Google's), and ID tokens signed with it.
 */
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { expect } from 'vitest';
import { testEnv } from '../test-env';
import { uniqueEmail } from './api';

export interface IdTokenOptions {
  email?: string;
  sub?: string;
  aud?: string;
  iss?: string;
  expiresIn?: number;
  emailVerified?: boolean;
  nonce?: string;
  key?: CryptoKey;
}

export interface GoogleIssuer {
  idToken(o?: IdTokenOptions): Promise<string>;
}

export async function publishGoogleIssuer(label: string): Promise<GoogleIssuer> {
  const kid = `${label}-${crypto.randomUUID()}`;
  const pair = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
  const res = await fetch(`${testEnv.STACK_CONTROL_URL}/google/keys`, {
    method: 'PUT',
    body: JSON.stringify({ keys: [publicJwk] }),
  });
  expect(res.status).toBe(204);

  return {
    idToken(o: IdTokenOptions = {}) {
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = {
        email: o.email ?? uniqueEmail('google'),
        email_verified: o.emailVerified ?? true,
        name: 'Grace Hopper',
      };
      if (o.nonce !== undefined) claims.nonce = o.nonce;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setIssuer(o.iss ?? 'https://accounts.google.com')
        .setAudience(o.aud ?? testEnv.GOOGLE_CLIENT_ID)
        .setSubject(o.sub ?? `google-${crypto.randomUUID()}`)
        .setIssuedAt(now - 10)
        .setExpirationTime(now + (o.expiresIn ?? 3600))
        .sign(o.key ?? pair.privateKey);
    },
  };
}
