/**
 * A bench-only Worker: the CPU work of a password hash and of a refresh, with no I/O, so the latency
 * of one request is its CPU time plus a small constant (measured by GET /noop).
 */
import { hashPassword } from '../../src/lib/passwords/scrypt-hasher';
import { signAccessToken } from '../../src/lib/tokens/access-token';
import { loadKeySet, type KeySet } from '../../src/lib/tokens/signing-keys';
import { hashRefreshToken, newRefreshToken } from '../../src/lib/tokens/refresh-token';

let keys: Promise<KeySet> | undefined;

export default {
  async fetch(request: Request, env: { JWT_PRIVATE_JWK: string }): Promise<Response> {
    const url = new URL(request.url);
    const repeat = Number(url.searchParams.get('repeat') ?? 1);
    if (url.pathname === '/hash') {
      for (let i = 0; i < repeat; i++) await hashPassword('correct horse battery staple');
      return new Response('ok');
    }
    if (url.pathname === '/refresh-work') {
      keys ??= loadKeySet(JSON.parse(env.JWT_PRIVATE_JWK), []);
      const k = await keys;
      for (let i = 0; i < repeat; i++) await refreshWork(k);
      return new Response('ok');
    }
    return new Response('ok');
  },
};

/** What a refresh computes besides its one SQL statement: two SHA-256s, a new token, an ES256 signature. */
async function refreshWork(k: KeySet): Promise<void> {
  await hashRefreshToken(newRefreshToken());
  await hashRefreshToken(newRefreshToken());
  await signAccessToken(
    { userId: crypto.randomUUID(), sessionId: crypto.randomUUID(), role: 'user' },
    k.signing,
    { issuer: 'bench', audience: 'bench' },
    new Date(),
    900,
  );
}
