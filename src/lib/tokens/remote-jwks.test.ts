import { describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { loadKeySet, type KeySet } from './signing-keys';
import { signAccessToken } from './access-token';
import { remoteAccessTokenVerifier, shouldFetch } from './remote-jwks';
import { ApiError } from '../http/errors';

const audience = { issuer: 'https://auth.test', audience: 'edge-auth-api' };
const T0 = Date.parse('2026-12-01T10:00:00Z');

async function newKey(kid: string): Promise<KeySet> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return loadKeySet({ ...(await exportJWK(privateKey)), kid, alg: 'ES256' }, []);
}

const tokenOf = async (keys: KeySet, at: number) =>
  (
    await signAccessToken(
      { userId: crypto.randomUUID(), sessionId: crypto.randomUUID(), role: 'admin' },
      keys.signing,
      audience,
      new Date(at),
      900,
    )
  ).token;

/** A stand-in for the auth Worker's JWKS route: serves `published`, counts fetches, can fail. */
function jwksServer(published: JWK[]) {
  const server = { published, fetches: 0, down: false };
  const fetch = async (url: string) => {
    expect(url).toBe('https://edge-auth/.well-known/jwks.json');
    server.fetches += 1;
    if (server.down) return new Response('down', { status: 503 });
    return Response.json({ keys: server.published });
  };
  return { server, fetch };
}

describe('remote JWKS: pure decision', () => {
  const decide = (fetchedAt: number | undefined, lastAttemptAt: number | undefined, kidKnown: boolean, now: number) =>
    shouldFetch({ fetchedAt, lastAttemptAt, kidKnown }, now, 300_000, 5_000);

  it('fetches when nothing is cached, when the set is stale, or when the kid is unknown; never within the cooldown', () => {
    expect(decide(undefined, undefined, false, T0)).toBe(true);
    expect(decide(T0, T0, true, T0 + 299_999)).toBe(false);
    expect(decide(T0, T0, true, T0 + 300_000)).toBe(true);
    expect(decide(T0, T0, false, T0 + 5_000)).toBe(true);
    expect(decide(T0, T0, false, T0 + 4_999)).toBe(false);
    expect(decide(undefined, T0, false, T0 + 4_999)).toBe(false);
  });
});

describe('remote JWKS: key rotation', () => {
  it('accepts a token of a key published after a rotation, with one refetch', async () => {
    const [oldKey, newKeySet] = [await newKey('2026-11-old'), await newKey('2026-12-new')];
    const { server, fetch } = jwksServer(oldKey.publicJwks);
    const verify = remoteAccessTokenVerifier({ fetch, url: 'https://edge-auth/.well-known/jwks.json' }, audience);

    expect((await verify(await tokenOf(oldKey, T0), new Date(T0))).ok).toBe(true);
    expect((await verify(await tokenOf(oldKey, T0), new Date(T0 + 1_000))).ok).toBe(true);
    expect(server.fetches).toBe(1); // cached

    // The auth Worker rotates: the new key signs, the old one stays published.
    server.published = [...newKeySet.publicJwks, ...oldKey.publicJwks];
    const rotatedAt = T0 + 60_000;
    expect((await verify(await tokenOf(newKeySet, rotatedAt), new Date(rotatedAt))).ok).toBe(true);
    expect(server.fetches).toBe(2);
    expect((await verify(await tokenOf(oldKey, rotatedAt), new Date(rotatedAt + 10))).ok).toBe(true);
    expect(server.fetches).toBe(2);
  });

  it('lets a flood of unknown kids cause one fetch per cooldown, concurrent ones included', async () => {
    const key = await newKey('2026-12-real');
    const { server, fetch } = jwksServer(key.publicJwks);
    const verify = remoteAccessTokenVerifier(
      { fetch, url: 'https://edge-auth/.well-known/jwks.json', cooldownMs: 5_000 },
      audience,
    );
    expect((await verify(await tokenOf(key, T0), new Date(T0))).ok).toBe(true);

    const forged = await Promise.all(Array.from({ length: 5 }, (_, i) => newKey(`forged-kid-${i}`)));
    const flood = async (at: number) => {
      const tokens = await Promise.all(forged.map((k) => tokenOf(k, at)));
      return Promise.all(tokens.map((t) => verify(t, new Date(at))));
    };
    const later = T0 + 60_000;
    for (const result of await flood(later)) expect(result).toMatchObject({ ok: false, reason: 'TOKEN_INVALID' });
    expect(server.fetches).toBe(2); // one refetch for the whole concurrent burst
    await flood(later + 4_999);
    expect(server.fetches).toBe(2); // within the cooldown: none
    await flood(later + 5_000);
    expect(server.fetches).toBe(3);
  });

  it('refetches a stale set, keeps the cached set when the auth Worker fails, and answers 503 when there is none', async () => {
    const key = await newKey('2026-12-real');
    const { server, fetch } = jwksServer(key.publicJwks);
    const errors: unknown[] = [];
    const verify = remoteAccessTokenVerifier(
      { fetch, url: 'https://edge-auth/.well-known/jwks.json', maxAgeMs: 300_000, onError: (e) => errors.push(e) },
      audience,
    );

    server.down = true;
    await expect(verify(await tokenOf(key, T0), new Date(T0))).rejects.toSatisfy(
      (e) => e instanceof ApiError && e.code === 'SERVICE_UNAVAILABLE',
    );
    await expect(verify(await tokenOf(key, T0), new Date(T0 + 1_000))).rejects.toBeInstanceOf(ApiError);
    expect(server.fetches).toBe(1); // a down auth Worker is not hammered either
    expect(errors).toHaveLength(1);

    server.down = false;
    expect((await verify(await tokenOf(key, T0 + 6_000), new Date(T0 + 6_000))).ok).toBe(true);
    expect(server.fetches).toBe(2);

    server.down = true;
    const stale = T0 + 6_000 + 300_000;
    expect((await verify(await tokenOf(key, stale), new Date(stale))).ok).toBe(true); // the old set still serves
    expect(server.fetches).toBe(3); // a known kid does not wait for the refresh under way
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(errors).toHaveLength(2);
  });
});
