/**
 * Password hashing with Argon2id (RFC 9106), the reference C code compiled to wasm (@phi-ag/argon2's
 * argon2.wasm). The module is imported statically, so wrangler uploads it compiled: production Workers
 * refuse to compile wasm bytes at runtime, but instantiate a compiled module (once per isolate here).
 * The package's own JS wrapper is not used: it passes a password's UTF-16 length as its byte length,
 * which truncates non-ASCII passwords. About 25 ms of CPU per hash against scrypt's 150 (bench:argon2).
 *
 * Encoded form: the PHC string `$argon2id$v=19$m=19456,t=2,p=1$salt$hash` (base64 without padding) that
 * other Argon2 libraries read and write; the parameters travel with the hash (see `needsRehash`).
 */
import { timingSafeEqual } from 'node:crypto';
import wasm from '@phi-ag/argon2/argon2.wasm';
import type { PasswordCheck } from './password-check';

export interface Argon2idParams {
  /** Memory in KiB. */
  m: number;
  /** Passes over the memory. */
  t: number;
  /** Lanes. */
  p: number;
}

/** OWASP Password Storage Cheat Sheet's first choice: 19 MiB, 2 passes, 1 lane. */
export const DEFAULT_ARGON2ID_PARAMS: Argon2idParams = { m: 19456, t: 2, p: 1 };

/**
 * A stored hash is data: parameters past these are refused rather than run, so a poisoned hash cannot
 * take the isolate's memory (the wasm memory grows to m KiB and keeps it) or its CPU.
 */
export const ARGON2ID_LIMITS = { maxM: 65536, maxT: 10, maxP: 4 };

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const ARGON2_ID = 2;
const ARGON2_VERSION_13 = 0x13;

interface Argon2Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(size: number): number;
  free(ptr: number): void;
  /** The reference argon2_hash; with a null `encoded` it writes only the raw hash. Returns 0 or an error code. */
  argon2_hash(
    t: number,
    m: number,
    p: number,
    pwd: number,
    pwdlen: number,
    salt: number,
    saltlen: number,
    hash: number,
    hashlen: number,
    encoded: number,
    encodedlen: number,
    type: number,
    version: number,
  ): number;
}

let loaded: Promise<Argon2Exports> | undefined;

function load(): Promise<Argon2Exports> {
  if (!loaded) {
    loaded = WebAssembly.instantiate(wasm).then((instance) => {
      const exports = instance.exports as unknown as Argon2Exports;
      exports._initialize();
      return exports;
    });
    loaded.catch(() => (loaded = undefined)); // a failed instantiation is not remembered
  }
  return loaded;
}

export function withinLimits(params: Argon2idParams): boolean {
  const { m, t, p } = params;
  const integers = [m, t, p].every(Number.isSafeInteger);
  // Argon2 needs at least 8 KiB per lane.
  return (
    integers &&
    p >= 1 &&
    p <= ARGON2ID_LIMITS.maxP &&
    t >= 1 &&
    t <= ARGON2ID_LIMITS.maxT &&
    m >= 8 * p &&
    m <= ARGON2ID_LIMITS.maxM
  );
}

async function derive(
  password: string,
  salt: Uint8Array,
  params: Argon2idParams,
  keyLength: number,
): Promise<Uint8Array> {
  const argon2 = await load();
  // UTF-8 bytes, counted as bytes.
  const pwd = new TextEncoder().encode(password.normalize('NFKC'));
  const size = pwd.length + salt.length + keyLength;
  const ptr = argon2.malloc(size);
  if (!ptr) throw new Error('argon2: out of wasm memory');
  const pwdPtr = ptr;
  const saltPtr = ptr + pwd.length;
  const keyPtr = saltPtr + salt.length;
  let trapped = false;
  try {
    const heap = new Uint8Array(argon2.memory.buffer);
    heap.set(pwd, pwdPtr);
    heap.set(salt, saltPtr);
    const result = argon2.argon2_hash(
      params.t,
      params.m,
      params.p,
      pwdPtr,
      pwd.length,
      saltPtr,
      salt.length,
      keyPtr,
      keyLength,
      0,
      0,
      ARGON2_ID,
      ARGON2_VERSION_13,
    );
    if (result !== 0) throw new Error(`argon2: error ${result}`);
    // Hashing may have grown the memory, which detaches the earlier view.
    return new Uint8Array(argon2.memory.buffer).slice(keyPtr, keyPtr + keyLength);
  } catch (error) {
    // A trap may leave the module's allocator inconsistent: the next call instantiates it again.
    trapped = error instanceof WebAssembly.RuntimeError;
    if (trapped) loaded = undefined;
    throw error;
  } finally {
    if (!trapped) {
      new Uint8Array(argon2.memory.buffer).fill(0, ptr, ptr + size); // the password does not linger
      argon2.free(ptr);
    }
  }
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '');

export async function hashPassword(
  password: string,
  params: Argon2idParams = DEFAULT_ARGON2ID_PARAMS,
): Promise<string> {
  if (!withinLimits(params))
    throw new Error(`argon2id parameters m=${params.m} t=${params.t} p=${params.p} are outside the limits`);
  const salt = crypto.getRandomValues(new Uint8Array(SALT_LENGTH));
  const key = await derive(password, salt, params, KEY_LENGTH);
  return `$argon2id$v=19$m=${params.m},t=${params.t},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

const PARAMS = /^m=([1-9][0-9]{0,7}),t=([1-9][0-9]{0,7}),p=([1-9][0-9]{0,7})$/;
const B64 = /^[A-Za-z0-9+/]+$/;

/** Canonical unpadded base64 of minLength to maxLength bytes, or undefined. */
function fromB64(text: string | undefined, minLength: number, maxLength: number): Buffer | undefined {
  if (!text || !B64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (b64(bytes) !== text) return undefined; // not canonical: stray bits or an impossible length
  return bytes.length >= minLength && bytes.length <= maxLength ? bytes : undefined;
}

function decode(encoded: string): { params: Argon2idParams; salt: Buffer; hash: Buffer } | undefined {
  const parts = encoded.split('$');
  const [empty, scheme, version, paramText, saltText, hashText] = parts;
  if (parts.length !== 6 || empty !== '' || scheme !== 'argon2id' || version !== 'v=19') return undefined;
  const match = PARAMS.exec(paramText ?? '');
  if (!match) return undefined;
  const params = { m: Number(match[1]), t: Number(match[2]), p: Number(match[3]) };
  if (!withinLimits(params)) return undefined;
  const salt = fromB64(saltText, 8, 64);
  const hash = fromB64(hashText, 16, 64);
  return salt && hash ? { params, salt, hash } : undefined;
}

export async function verifyPassword(
  password: string,
  encoded: string,
  current: Argon2idParams = DEFAULT_ARGON2ID_PARAMS,
): Promise<PasswordCheck> {
  const stored = decode(encoded);
  if (!stored) return { valid: false, needsRehash: false };
  const key = await derive(password, stored.salt, stored.params, stored.hash.length).catch(() => undefined);
  if (!key) return { valid: false, needsRehash: false };
  const valid = timingSafeEqual(key, stored.hash);
  const p = stored.params;
  const stale = p.m !== current.m || p.t !== current.t || p.p !== current.p || stored.hash.length !== KEY_LENGTH;
  return { valid, needsRehash: valid && stale };
}

/**
 * A hash of a random password nobody knows, made once with DEFAULT_ARGON2ID_PARAMS: verifying against it
 * costs one real verification, from the very first request of an isolate.
 */
export const DEFAULT_DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$GP3qX1A2tbbsKm60SpSsFg$Aqdg/XLqE/xodSDL/RImOjSs+g+Gr0YKNC/nTFP8eVA';

/**
 * Spends the same work as a real verification, for a login whose email is unknown: without it the
 * response time would tell an attacker which emails have accounts.
 */
export async function verifyAgainstDummy(password: string): Promise<void> {
  await verifyPassword(password, DEFAULT_DUMMY_HASH);
}
