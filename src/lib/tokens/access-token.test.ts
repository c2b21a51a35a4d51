import { SignJWT, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACCESS_TOKEN_TYPE,
  MAX_CLOCK_SKEW_SECONDS,
  VERIFIED_TOKENS_KEPT,
  accessTokenVerifier,
  signAccessToken,
  type AccessTokenVerifier,
  type Role,
} from './access-token';
import { loadKeySet, toPublicJwk, type KeySet } from './signing-keys';

const NOW = new Date('2026-01-01T00:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const TTL = 900;
const AUD = { issuer: 'https://auth.example.com', audience: 'edge-auth-api' };
const SUBJECT: { userId: string; sessionId: string; role: Role } = {
  userId: 'user-1',
  sessionId: 'session-1',
  role: 'user',
};
const KID = 'test-key-1';

type PrivateJwk = JWK & { kid: string; alg: 'ES256' };

async function es256PrivateJwk(kid: string): Promise<PrivateJwk> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
}

const b64url = (text: string) => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromB64url = (part: string) => atob(part.replace(/-/g, '+').replace(/_/g, '/'));
const secondsAgo = (s: number) => new Date(NOW.getTime() - s * 1000);

/** Signs with the key set's own key but with arbitrary claims and header, for tokens signAccessToken would never make. */
async function signRaw(
  keySet: KeySet,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: KID, typ: ACCESS_TOKEN_TYPE, ...header })
    .sign(keySet.signing.key);
}

const goodClaims = () => ({
  sub: SUBJECT.userId,
  sid: SUBJECT.sessionId,
  role: SUBJECT.role,
  jti: crypto.randomUUID(),
  iss: AUD.issuer,
  aud: AUD.audience,
  iat: NOW_S,
  exp: NOW_S + TTL,
});

let privateJwk: PrivateJwk;
let keySet: KeySet;
let verify: AccessTokenVerifier;

beforeAll(async () => {
  privateJwk = await es256PrivateJwk(KID);
  keySet = await loadKeySet(privateJwk, []);
  verify = accessTokenVerifier(keySet.publicJwks, AUD);
});

const sign = (now = NOW, ttl = TTL, subject = SUBJECT) => signAccessToken(subject, keySet.signing, AUD, now, ttl);

describe('signAccessToken', () => {
  it('returns the token and its lifetime', async () => {
    const { token, expiresIn } = await sign();
    expect(expiresIn).toBe(TTL);
    expect(token.split('.')).toHaveLength(3);
  });

  it('puts alg ES256, the kid and typ at+jwt in the header', async () => {
    const { token } = await sign();
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: KID, typ: 'at+jwt' });
  });

  it('sets iat from the given now and exp = iat + ttl, with a fresh jti each time', async () => {
    const a = JSON.parse(fromB64url((await sign()).token.split('.')[1] as string)) as Record<string, unknown>;
    const b = JSON.parse(fromB64url((await sign()).token.split('.')[1] as string)) as Record<string, unknown>;
    expect(a).toMatchObject({
      sub: 'user-1',
      sid: 'session-1',
      role: 'user',
      iss: AUD.issuer,
      aud: AUD.audience,
      iat: NOW_S,
      exp: NOW_S + TTL,
    });
    expect(a.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.jti).not.toBe(a.jti);
  });
});

describe('accessTokenVerifier: valid tokens', () => {
  it('accepts a fresh token and returns sub, sid, role and jti', async () => {
    const { token } = await sign();
    const result = await verify(token, NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.claims).toMatchObject({
      sub: 'user-1',
      sid: 'session-1',
      role: 'user',
      iat: NOW_S,
      exp: NOW_S + TTL,
    });
    expect(result.claims.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('accepts the admin role', async () => {
    const { token } = await sign(NOW, TTL, { ...SUBJECT, role: 'admin' });
    const result = await verify(token, NOW);
    expect(result.ok && result.claims.role).toBe('admin');
  });

  it('accepts a token expired by only 30 s (within the 60 s skew)', async () => {
    expect(MAX_CLOCK_SKEW_SECONDS).toBe(60);
    const { token } = await sign(secondsAgo(TTL + 30));
    expect((await verify(token, NOW)).ok).toBe(true);
  });
});

describe('accessTokenVerifier: expiry', () => {
  it('refuses a token expired beyond the 60 s skew as TOKEN_EXPIRED', async () => {
    const { token } = await sign(secondsAgo(TTL + 61));
    expect(await verify(token, NOW)).toMatchObject({ ok: false, reason: 'TOKEN_EXPIRED' });
  });

  it('refuses a long-expired token as TOKEN_EXPIRED', async () => {
    const { token } = await sign(secondsAgo(86_400));
    expect(await verify(token, NOW)).toMatchObject({ ok: false, reason: 'TOKEN_EXPIRED' });
  });
});

describe('accessTokenVerifier: tokens verified before (kept per isolate)', () => {
  it('answers a token seen before with the same claims, and refuses it once it expires', async () => {
    const { token } = await sign();
    const first = await verify(token, NOW);
    const again = await verify(token, new Date(NOW.getTime() + 1000));
    expect(again).toEqual(first);
    const late = new Date((NOW_S + TTL + MAX_CLOCK_SKEW_SECONDS + 1) * 1000);
    expect(await verify(token, late)).toMatchObject({ ok: false, reason: 'TOKEN_EXPIRED' });
    // Forgotten once expired: still refused.
    expect(await verify(token, late)).toMatchObject({ ok: false, reason: 'TOKEN_EXPIRED' });
  });

  it('keeps no refusal: a tampered copy of a verified token is refused however often it comes', async () => {
    const { token } = await sign();
    expect((await verify(token, NOW)).ok).toBe(true);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const tampered = `${header}.${payload}.${signature.slice(0, -4)}AAAA`;
    for (let i = 0; i < 2; i++)
      expect(await verify(tampered, NOW)).toMatchObject({ ok: false, reason: 'TOKEN_INVALID' });
  });

  it('keeps at most its limit, the oldest leaving first', async () => {
    expect(VERIFIED_TOKENS_KEPT).toBe(4096);
    const keepsTwo = accessTokenVerifier(keySet.publicJwks, AUD, 2);
    const [a, b, c] = await Promise.all([sign(), sign(), sign()]);
    const claimsOf = async (token: string) => {
      const result = await keepsTwo(token, NOW);
      if (!result.ok) throw new Error('refused');
      return result.claims;
    };
    const firstA = await claimsOf(a.token);
    expect(await claimsOf(a.token)).toBe(firstA); // a hit: the very claims kept
    await claimsOf(b.token);
    await claimsOf(c.token); // a leaves
    const againA = await claimsOf(a.token);
    expect(againA).toEqual(firstA);
    expect(againA).not.toBe(firstA); // verified anew
  });
});

describe('accessTokenVerifier: forgeries and foreign tokens are TOKEN_INVALID', () => {
  it('wrong issuer', async () => {
    const { token } = await signAccessToken(
      SUBJECT,
      keySet.signing,
      { ...AUD, issuer: 'https://evil.example.com' },
      NOW,
      TTL,
    );
    expect(await verify(token, NOW)).toMatchObject({
      ok: false,
      reason: 'TOKEN_INVALID',
      detail: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });
  });

  it('wrong audience', async () => {
    const { token } = await signAccessToken(SUBJECT, keySet.signing, { ...AUD, audience: 'another-api' }, NOW, TTL);
    expect(await verify(token, NOW)).toMatchObject({
      ok: false,
      reason: 'TOKEN_INVALID',
      detail: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });
  });

  it('signed by another ES256 key under the same kid', async () => {
    const other = await loadKeySet(await es256PrivateJwk(KID), []);
    const { token } = await signAccessToken(SUBJECT, other.signing, AUD, NOW, TTL);
    expect(decodeProtectedHeader(token).kid).toBe(KID);
    expect(await verify(token, NOW)).toMatchObject({
      ok: false,
      reason: 'TOKEN_INVALID',
      detail: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
  });

  it('signed by a key whose kid is not published', async () => {
    const other = await loadKeySet(await es256PrivateJwk('unknown-kid'), []);
    const { token } = await signAccessToken(SUBJECT, other.signing, AUD, NOW, TTL);
    expect(await verify(token, NOW)).toMatchObject({
      ok: false,
      reason: 'TOKEN_INVALID',
      detail: 'ERR_JWKS_NO_MATCHING_KEY',
    });
  });

  it('alg none (unsecured JWT with an empty signature)', async () => {
    const header = b64url(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: KID }));
    const payload = b64url(JSON.stringify(goodClaims()));
    const result = await verify(`${header}.${payload}.`, NOW);
    expect(result).toMatchObject({ ok: false, reason: 'TOKEN_INVALID', detail: 'ERR_JOSE_ALG_NOT_ALLOWED' });
  });

  it('HS256 keyed with the public JWK as the HMAC secret (algorithm confusion)', async () => {
    const publicJwk = keySet.publicJwks[0] as JWK;
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const token = await new SignJWT(goodClaims())
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: KID })
      .sign(secret);
    expect(await verify(token, NOW)).toMatchObject({
      ok: false,
      reason: 'TOKEN_INVALID',
      detail: 'ERR_JOSE_ALG_NOT_ALLOWED',
    });
  });

  it('tampered payload (role raised to admin, original signature kept)', async () => {
    const { token } = await sign();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(fromB64url(payload)) as Record<string, unknown>;
    const forged = `${header}.${b64url(JSON.stringify({ ...claims, role: 'admin' }))}.${signature}`;
    expect(await verify(forged, NOW)).toMatchObject({
      ok: false,
      reason: 'TOKEN_INVALID',
      detail: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
  });

  it('tampered signature', async () => {
    const { token } = await sign();
    // Flip the signature's first character: its last one may carry only padding bits, which decode the same.
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    expect(await verify(`${header}.${payload}.${flipped}`, NOW)).toMatchObject({
      ok: false,
      reason: 'TOKEN_INVALID',
      detail: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
  });

  it('a plain JWT (no typ) with every right claim and our own key', async () => {
    const token = await new SignJWT(goodClaims())
      .setProtectedHeader({ alg: 'ES256', kid: KID })
      .sign(keySet.signing.key);
    expect(await verify(token, NOW)).toMatchObject({
      ok: false,
      reason: 'TOKEN_INVALID',
      detail: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });
  });

  it('a JWT with typ JWT (e.g. an ID token) and our own key', async () => {
    const token = await signRaw(keySet, goodClaims(), { typ: 'JWT' });
    expect(await verify(token, NOW)).toMatchObject({
      ok: false,
      reason: 'TOKEN_INVALID',
      detail: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });
  });

  it('a role other than user or admin', async () => {
    const token = await signRaw(keySet, { ...goodClaims(), role: 'superuser' });
    expect(await verify(token, NOW)).toEqual({ ok: false, reason: 'TOKEN_INVALID', detail: 'bad role claim' });
  });

  it.each(['sub', 'sid', 'role', 'jti', 'iat', 'exp'])('a token missing the %s claim', async (claim) => {
    const claims: Record<string, unknown> = goodClaims();
    delete claims[claim];
    const token = await signRaw(keySet, claims);
    expect(await verify(token, NOW)).toMatchObject({
      ok: false,
      reason: 'TOKEN_INVALID',
      detail: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });
  });

  it('a token not yet valid beyond the skew (nbf in the future)', async () => {
    const token = await signRaw(keySet, { ...goodClaims(), nbf: NOW_S + 120 });
    expect(await verify(token, NOW)).toMatchObject({
      ok: false,
      reason: 'TOKEN_INVALID',
      detail: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });
  });

  it.each([
    ['empty string', ''],
    ['garbage', 'not-a-jwt'],
    ['two parts', 'a.b'],
    ['refresh token', 'A'.repeat(43)],
  ])('%s', async (_label, token) => {
    expect(await verify(token, NOW)).toMatchObject({ ok: false, reason: 'TOKEN_INVALID' });
  });
});

describe('key rotation', () => {
  it('a token signed by the old key verifies once the old public JWK is passed as a previous key', async () => {
    const { token: oldToken } = await sign();
    const next = await loadKeySet(await es256PrivateJwk('test-key-2'), [toPublicJwk(privateJwk)]);
    const verifyNext = accessTokenVerifier(next.publicJwks, AUD);
    expect(await verifyNext(oldToken, NOW)).toMatchObject({ ok: true, claims: { sub: 'user-1' } });
    const { token: newToken } = await signAccessToken(SUBJECT, next.signing, AUD, NOW, TTL);
    expect(decodeProtectedHeader(newToken).kid).toBe('test-key-2');
    expect((await verifyNext(newToken, NOW)).ok).toBe(true);
  });

  it('a token signed by the old key is refused once the old key is no longer passed', async () => {
    const { token: oldToken } = await sign();
    const next = await loadKeySet(await es256PrivateJwk('test-key-2'), []);
    expect(await accessTokenVerifier(next.publicJwks, AUD)(oldToken, NOW)).toMatchObject({
      ok: false,
      reason: 'TOKEN_INVALID',
      detail: 'ERR_JWKS_NO_MATCHING_KEY',
    });
  });

  it('lists the signing key first, then the previous keys; drops a previous key with the signing kid', async () => {
    const previous = toPublicJwk(await es256PrivateJwk('test-key-0'));
    const sameKid = toPublicJwk(await es256PrivateJwk('test-key-2'));
    const next = await loadKeySet(await es256PrivateJwk('test-key-2'), [previous, sameKid]);
    expect(next.publicJwks.map((jwk) => jwk.kid)).toEqual(['test-key-2', 'test-key-0']);
    expect(next.publicJwks[0]?.x).not.toBe(sameKid.x);
  });

  it('never publishes private members, even when a previous key is passed with its d', async () => {
    const previousPrivate = await es256PrivateJwk('test-key-0');
    expect(previousPrivate.d).toBeTypeOf('string');
    const next = await loadKeySet(await es256PrivateJwk('test-key-2'), [previousPrivate]);
    expect(next.publicJwks).toHaveLength(2);
    for (const jwk of [...next.publicJwks, ...keySet.publicJwks]) {
      expect(jwk).not.toHaveProperty('d');
      expect(JSON.stringify(jwk)).not.toContain('"d"');
      expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', use: 'sig' });
    }
  });

  it('does not alter the private JWK it was given', async () => {
    const jwk = await es256PrivateJwk('test-key-3');
    const before = JSON.stringify(jwk);
    await loadKeySet(jwk, []);
    expect(JSON.stringify(jwk)).toBe(before);
    expect(toPublicJwk(jwk)).not.toHaveProperty('d');
    expect(jwk.d).toBeTypeOf('string');
  });
});
