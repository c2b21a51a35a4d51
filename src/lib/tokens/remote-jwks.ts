/**
 * Verifies access tokens against keys another Worker publishes (the auth Worker's
 * `/.well-known/jwks.json`), so a key rotation there needs no change here. jose's createRemoteJWKSet
 * can only use the global fetch; a service binding has its own, so this takes a `fetch` function.
 *
 * The fetched set is kept for `maxAgeMs`. A token whose `kid` the set does not hold means the auth
 * Worker has just rotated, so the set is fetched again; but never twice within `cooldownMs`, whatever
 * the reason (and one fetch at a time), so a flood of made-up kids costs the auth Worker at most one
 * request per cooldown per isolate, and a failing auth Worker is not hammered either.
 */
import { decodeProtectedHeader, type JWK } from 'jose';
import { ApiError } from '../http/errors';
import { accessTokenVerifier, type AccessTokenVerifier, type TokenAudience } from './access-token';

export interface RemoteJwksOptions {
  /** Fetches the key set: a service binding's `fetch`, or the global one. */
  fetch: (url: string) => Promise<Response>;
  url: string;
  /** How long a fetched set is trusted before it is fetched again. @default 300_000 (the auth Worker's Cache-Control) */
  maxAgeMs?: number;
  /** The least time between two fetches. @default 5_000 */
  cooldownMs?: number;
  /** A fetch that failed (the cached set, if any, stays in use). */
  onError?: (error: unknown) => void;
}

export interface CacheState {
  /** When the cached set was fetched; undefined while nothing has been fetched. */
  fetchedAt: number | undefined;
  /** When the last fetch started, successful or not. */
  lastAttemptAt: number | undefined;
  /** Whether the cached set holds the token's kid (true when the token names none). */
  kidKnown: boolean;
}

/** Whether to fetch the key set now. Pure: the caller passes the time. */
export function shouldFetch(state: CacheState, now: number, maxAgeMs: number, cooldownMs: number): boolean {
  if (state.lastAttemptAt !== undefined && now - state.lastAttemptAt < cooldownMs) return false;
  if (state.fetchedAt === undefined) return true;
  return now - state.fetchedAt >= maxAgeMs || !state.kidKnown;
}

interface Loaded {
  kids: Set<string>;
  verify: AccessTokenVerifier;
  fetchedAt: number;
}

function kidOf(token: string): string | undefined {
  try {
    const { kid } = decodeProtectedHeader(token);
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined; // not a JWS: verification refuses it below
  }
}

export function remoteAccessTokenVerifier(options: RemoteJwksOptions, audience: TokenAudience): AccessTokenVerifier {
  const maxAgeMs = options.maxAgeMs ?? 300_000;
  const cooldownMs = options.cooldownMs ?? 5_000;
  let loaded: Loaded | undefined;
  let lastAttemptAt: number | undefined;
  let inflight: Promise<void> | undefined;

  async function load(now: number): Promise<void> {
    lastAttemptAt = now;
    const res = await options.fetch(options.url);
    if (!res.ok) throw new Error(`key set answered ${res.status}`);
    const body = (await res.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error('key set has no keys array');
    const keys = body.keys as JWK[];
    // Built once per fetched set, not per token: importing keys is the costly part.
    const verify = accessTokenVerifier(keys, audience);
    loaded = { kids: new Set(keys.flatMap((k) => (typeof k.kid === 'string' ? [k.kid] : []))), verify, fetchedAt: now };
  }

  return async (token, now) => {
    const at = now.getTime();
    const kid = kidOf(token);
    const kidKnown = () => kid === undefined || (loaded?.kids.has(kid) ?? false);
    if (shouldFetch({ fetchedAt: loaded?.fetchedAt, lastAttemptAt, kidKnown: kidKnown() }, at, maxAgeMs, cooldownMs)) {
      // A failed fetch keeps the set we had: the auth Worker briefly down must not lock admins out.
      inflight ??= load(at)
        .catch((err: unknown) => options.onError?.(err))
        .finally(() => {
          inflight = undefined;
        });
    }
    // Wait for a fetch under way only when this token needs it; a known kid is answered from the cache.
    if (inflight && (!loaded || !kidKnown())) await inflight;
    // Retry-After: the earliest the keys can be fetched again.
    if (!loaded)
      throw new ApiError('SERVICE_UNAVAILABLE', 'the token signing keys cannot be loaded; try again shortly', {
        retryAfter: Math.max(1, Math.ceil(cooldownMs / 1000)),
      });
    return loaded.verify(token, now);
  };
}
