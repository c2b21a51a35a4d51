/**
 * Access tokens: short-lived JWTs (RFC 9068 profile, `typ: at+jwt`) signed with an asymmetric key.
 * Verification pins the algorithms, the type, issuer and audience, and allows at most 60 s of clock
 * skew, so `alg: none`, an HS256 token keyed with our public key, or an ID token from elsewhere fail.
 */
import { SignJWT, createLocalJWKSet, errors, jwtVerify, type JWK } from 'jose';
import type { SigningKey } from './signing-keys';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const ALLOWED_ALGORITHMS = ['ES256', 'EdDSA'];
export const MAX_CLOCK_SKEW_SECONDS = 60;

import type { Role } from '../storage/schema';

export type { Role };

export interface AccessClaims {
  sub: string;
  sid: string;
  role: Role;
  jti: string;
  iat: number;
  exp: number;
}

export interface TokenAudience {
  issuer: string;
  audience: string;
}

export async function signAccessToken(
  subject: { userId: string; sessionId: string; role: Role },
  key: SigningKey,
  audience: TokenAudience,
  now: Date,
  ttlSeconds: number,
): Promise<{ token: string; expiresIn: number }> {
  const iat = Math.floor(now.getTime() / 1000);
  const token = await new SignJWT({ sid: subject.sessionId, role: subject.role })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: ACCESS_TOKEN_TYPE })
    .setSubject(subject.userId)
    .setIssuer(audience.issuer)
    .setAudience(audience.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .setJti(crypto.randomUUID())
    .sign(key.key);
  return { token, expiresIn: ttlSeconds };
}

export type VerifyFailure = 'TOKEN_EXPIRED' | 'TOKEN_INVALID';
export type VerifyResult = { ok: true; claims: AccessClaims } | { ok: false; reason: VerifyFailure; detail: string };

/**
 * Tokens this verifier has verified, at most this many: a client presents its access token on every
 * call for its whole life, and an ES256 verification is the largest CPU cost of a Bearer call after the
 * I/O (about 0.1 ms, npm run bench:profile me). Only tokens that passed are kept, keyed by the whole
 * token (so a forged one is never a hit), and a hit is still checked for expiry as jose checks it.
 * About 1 KB each: 4 MB at most per isolate.
 */
export const VERIFIED_TOKENS_KEPT = 4096;

export function accessTokenVerifier(publicJwks: JWK[], audience: TokenAudience, kept = VERIFIED_TOKENS_KEPT) {
  const keys = createLocalJWKSet({ keys: publicJwks });
  const verified = new Map<string, AccessClaims>(); // in insertion order: the oldest leaves first
  return async (token: string, now: Date): Promise<VerifyResult> => {
    const known = verified.get(token);
    if (known) {
      if (known.exp > Math.floor(now.getTime() / 1000) - MAX_CLOCK_SKEW_SECONDS) return { ok: true, claims: known };
      verified.delete(token);
      return { ok: false, reason: 'TOKEN_EXPIRED', detail: 'expired' };
    }
    const result = await verifyAccessToken(keys, audience, token, now);
    if (result.ok) {
      if (verified.size >= kept) verified.delete(verified.keys().next().value!);
      verified.set(token, result.claims);
    }
    return result;
  };
}

async function verifyAccessToken(
  keys: ReturnType<typeof createLocalJWKSet>,
  audience: TokenAudience,
  token: string,
  now: Date,
): Promise<VerifyResult> {
  try {
    const { payload } = await jwtVerify(token, keys, {
      algorithms: ALLOWED_ALGORITHMS,
      typ: ACCESS_TOKEN_TYPE,
      issuer: audience.issuer,
      audience: audience.audience,
      clockTolerance: MAX_CLOCK_SKEW_SECONDS,
      currentDate: now,
      requiredClaims: ['sub', 'sid', 'role', 'jti', 'iat', 'exp'],
    });
    if (payload.role !== 'user' && payload.role !== 'admin')
      return { ok: false, reason: 'TOKEN_INVALID', detail: 'bad role claim' };
    return { ok: true, claims: payload as unknown as AccessClaims };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, reason: 'TOKEN_EXPIRED', detail: 'expired' };
    const detail = err instanceof errors.JOSEError ? err.code : 'unparseable';
    return { ok: false, reason: 'TOKEN_INVALID', detail };
  }
}

export type AccessTokenVerifier = ReturnType<typeof accessTokenVerifier>;
