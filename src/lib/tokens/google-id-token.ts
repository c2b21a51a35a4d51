/**
 * Verifies a Google ID token (OpenID Connect Core 3.1.3.7) against Google's JWKS: RS256 only,
 * issuer accounts.google.com, audience our client id, not expired, a verified email, and the
 * client's nonce when it sent one.
 * The JWKS URL is configurable so tests (and staging) can serve their own keys.
 */
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';

export const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

export interface GoogleIdentity {
  subject: string;
  email: string;
  name: string | null;
}

export type GoogleVerifyResult = { ok: true; identity: GoogleIdentity } | { ok: false; reason: string };

/**
 * jose reports a token's own faults with specific codes; a network failure is not a JOSEError at all,
 * and a non-200 from the key endpoint, a timeout or an invalid key set are its key-fetch errors.
 */
function isKeyFetchFailure(err: unknown): boolean {
  if (!(err instanceof errors.JOSEError)) return true;
  return err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || err.code === 'ERR_JOSE_GENERIC';
}

export function googleIdTokenVerifier(settings: { clientId: string; jwksUrl: string }) {
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 3000, cooldownDuration: 30_000 });
  /** `nonce`: what the client says it put in its authorization request; the token must carry the same. */
  return async (
    idToken: string,
    now: Date,
    expected: { nonce?: string | undefined } = {},
  ): Promise<GoogleVerifyResult> => {
    try {
      const { payload } = await jwtVerify(idToken, jwks, {
        algorithms: ['RS256'],
        issuer: GOOGLE_ISSUERS,
        audience: settings.clientId,
        currentDate: now,
        clockTolerance: 60,
        requiredClaims: ['sub', 'email', 'exp', 'iat'],
      });
      if (payload.email_verified !== true) return { ok: false, reason: 'email_not_verified' };
      if (typeof payload.email !== 'string' || typeof payload.sub !== 'string')
        return { ok: false, reason: 'bad_claims' };
      // A token minted for another sign-in (replayed or injected) carries another nonce, or none.
      if (expected.nonce !== undefined && payload.nonce !== expected.nonce)
        return { ok: false, reason: 'nonce_mismatch' };
      const name = typeof payload.name === 'string' ? payload.name : null;
      return { ok: true, identity: { subject: payload.sub, email: payload.email, name } };
    } catch (err) {
      if (isKeyFetchFailure(err)) throw err; // Google's keys out of reach: not the client's fault (503, not 401)
      return { ok: false, reason: (err as errors.JOSEError).code };
    }
  };
}

export type GoogleIdTokenVerifier = ReturnType<typeof googleIdTokenVerifier>;
