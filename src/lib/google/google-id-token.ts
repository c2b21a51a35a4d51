/**
 * Verifies a Google ID token (OpenID Connect Core 3.1.3.7) against Google's JWKS: RS256 only,
 * issuer accounts.google.com, audience our client id, not expired, and a verified email.
 * The JWKS URL is configurable so tests (and staging) can serve their own keys.
 */
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';

export const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

export interface GoogleIdentity { subject: string; email: string; name: string | null }

export type GoogleVerifyResult = { ok: true; identity: GoogleIdentity } | { ok: false; reason: string };

export function googleIdTokenVerifier(settings: { clientId: string; jwksUrl: string }) {
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 3000, cooldownDuration: 30_000 });
  return async (idToken: string, now: Date): Promise<GoogleVerifyResult> => {
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
      if (typeof payload.email !== 'string' || typeof payload.sub !== 'string') return { ok: false, reason: 'bad_claims' };
      const name = typeof payload.name === 'string' ? payload.name : null;
      return { ok: true, identity: { subject: payload.sub, email: payload.email, name } };
    } catch (err) {
      if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) throw err; // Google unreachable: not the client's fault
      return { ok: false, reason: err instanceof errors.JOSEError ? err.code : 'unparseable' };
    }
  };
}

export type GoogleIdTokenVerifier = ReturnType<typeof googleIdTokenVerifier>;
