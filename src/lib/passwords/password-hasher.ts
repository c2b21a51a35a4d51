/**
 * The one door to password hashing: new passwords are hashed with Argon2id (argon2id-hasher.ts); a stored
 * hash of either scheme verifies, and anything but an Argon2id hash at today's parameters answers
 * `needsRehash` once the password is right, so log-in.ts moves each user to it on their next login.
 * scrypt (scrypt-hasher.ts) is kept only to verify the hashes made before.
 *
 * While scrypt hashes remain, every check costs one verification of each scheme, whatever is stored and
 * for an unknown email too (`dummiesFor`): a scrypt check (about 150 ms) beside an Argon2id one (about
 * 25 ms) would otherwise tell an account not yet moved from an unknown email, and the contract promises
 * no measurable difference. Once none remain (user-store.ts `scryptHashesRemain`), a check is one Argon2id.
 */
import * as argon2id from './argon2id-hasher';
import * as scrypt from './scrypt-hasher';
import type { PasswordCheck } from './password-check';

export type { PasswordCheck };

export type StoredScheme = 'argon2id' | 'scrypt' | 'none';

/** Which dummy verifications a check adds, so that every check costs the same (pure: tested as a table). */
export function dummiesFor(stored: StoredScheme, scryptHashesRemain: boolean): { argon2id: boolean; scrypt: boolean } {
  return {
    argon2id: stored !== 'argon2id',
    scrypt: scryptHashesRemain && stored !== 'scrypt',
  };
}

const schemeOf = (encoded: string | null): StoredScheme =>
  encoded?.startsWith('$argon2id$') ? 'argon2id' : encoded?.startsWith('scrypt$') ? 'scrypt' : 'none';

export const hashPassword = (password: string): Promise<string> => argon2id.hashPassword(password);

/**
 * Checks a password against a stored hash (null or unreadable: the email has no password, or is
 * unknown), spending the dummy work `dummiesFor` asks for.
 */
export async function verifyPassword(
  password: string,
  encoded: string | null,
  options: { scryptHashesRemain: boolean } = { scryptHashesRemain: false },
): Promise<PasswordCheck> {
  const stored = schemeOf(encoded);
  const dummies = dummiesFor(stored, options.scryptHashesRemain);
  if (dummies.argon2id) await argon2id.verifyAgainstDummy(password);
  if (dummies.scrypt) await scrypt.verifyAgainstDummy(password);
  if (stored === 'argon2id') return argon2id.verifyPassword(password, encoded!);
  if (stored === 'scrypt') {
    const { valid } = await scrypt.verifyPassword(password, encoded!);
    return { valid, needsRehash: valid };
  }
  return { valid: false, needsRehash: false };
}

/** The work of one check, for a login whose email is unknown or has no password (see log-in.ts). */
export async function verifyAgainstDummy(
  password: string,
  options: { scryptHashesRemain: boolean } = { scryptHashesRemain: false },
): Promise<void> {
  await verifyPassword(password, null, options);
}
