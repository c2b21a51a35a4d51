/**
 * Password hashing with scrypt (RFC 7914) through node:crypto, which Workers provide with
 * nodejs_compat. It was chosen when Argon2 seemed to need wasm compiled at runtime, which Workers block;
 * a statically imported module is allowed, and Argon2id costs a sixth of the CPU (argon2id-hasher.ts).
 * Kept to verify the hashes made before: password-hasher.ts rehashes them with Argon2id on login.
 *
 * Encoded form: `scrypt$N$r$p$saltB64$hashB64`: the parameters travel with the hash, so they can be
 * raised later and old hashes upgraded on the next successful login (see `needsRehash`).
 */
import { scrypt, timingSafeEqual } from 'node:crypto';
import type { PasswordCheck } from './password-check';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * OWASP Password Storage Cheat Sheet lists scrypt N=2^14, r=8, p=5 as equivalent to its minimum.
 * N*r*p = 655,360, within the production Workers limit of 2^20; about 16 MiB of memory (128*N*r).
 */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 14, r: 8, p: 5 };

/** Production Workers refuse scrypt when N*r*p exceeds this (measured; local workerd does not enforce it). */
export const WORKERS_SCRYPT_MAX_COST = 2 ** 20;

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

export function fitsWorkersLimits(params: ScryptParams): boolean {
  const isPowerOfTwo = params.N > 1 && (params.N & (params.N - 1)) === 0;
  return isPowerOfTwo && params.N * params.r * params.p <= WORKERS_SCRYPT_MAX_COST;
}

function derive(password: string, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem must cover 128*N*r (plus slack), or node:crypto refuses the parameters.
    const maxmem = 128 * params.N * params.r * 2;
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { N: params.N, r: params.r, p: params.p, maxmem },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  if (!fitsWorkersLimits(params))
    throw new Error(
      `scrypt parameters N=${params.N} r=${params.r} p=${params.p} would be refused by production Workers`,
    );
  const salt = crypto.getRandomValues(new Uint8Array(SALT_LENGTH));
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, Buffer.from(salt).toString('base64'), key.toString('base64')].join(
    '$',
  );
}

const DECIMAL = /^[1-9][0-9]{0,7}$/;

function decode(encoded: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | undefined {
  const parts = encoded.split('$');
  const [scheme, n, r, p, salt, hash] = parts;
  if (parts.length !== 6 || scheme !== 'scrypt' || !salt || !hash) return undefined;
  if (![n, r, p].every((v) => DECIMAL.test(v ?? ''))) return undefined;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  // A stored hash is data: parameters we could not run in production (or that would exhaust memory) are refused.
  if (!fitsWorkersLimits(params)) return undefined;
  return { params, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}

export async function verifyPassword(
  password: string,
  encoded: string,
  current: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<PasswordCheck> {
  const stored = decode(encoded);
  if (!stored) return { valid: false, needsRehash: false };
  const key = await derive(password, stored.salt, stored.params).catch(() => undefined);
  if (!key) return { valid: false, needsRehash: false };
  const valid = key.length === stored.hash.length && timingSafeEqual(key, stored.hash);
  const p = stored.params;
  return { valid, needsRehash: valid && (p.N !== current.N || p.r !== current.r || p.p !== current.p) };
}

/**
 * A hash of a random password nobody knows, made once with DEFAULT_SCRYPT_PARAMS: verifying against it
 * costs exactly one real verification, from the very first request (computing it lazily would make
 * the first unknown-email login of an isolate cost two).
 */
const DEFAULT_DUMMY_HASH = 'scrypt$16384$8$5$O6ecTYVlPvzVHqiERvzqrw==$g/o5YplE5/7Oc8SbECGF8Tb6tZXRSaOErA4sVGmsziM=';
const dummyHashes = new Map<string, Promise<string>>([
  [
    `${DEFAULT_SCRYPT_PARAMS.N}:${DEFAULT_SCRYPT_PARAMS.r}:${DEFAULT_SCRYPT_PARAMS.p}`,
    Promise.resolve(DEFAULT_DUMMY_HASH),
  ],
]);

/**
 * Spends the same work as a real verification, for a login whose email is unknown: without it the
 * response time would tell an attacker which emails have accounts.
 */
export async function verifyAgainstDummy(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<void> {
  const key = `${params.N}:${params.r}:${params.p}`;
  let dummy = dummyHashes.get(key);
  if (!dummy) {
    dummy = hashPassword('dummy-password-for-timing', params);
    dummy.catch(() => dummyHashes.delete(key)); // a failed hash is not remembered
    dummyHashes.set(key, dummy);
  }
  await verifyPassword(password, await dummy, params);
}
