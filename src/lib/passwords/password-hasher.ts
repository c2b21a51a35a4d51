/**
 * The one door to password hashing: new passwords are hashed with Argon2id (argon2id-hasher.ts); a stored
 * hash of either scheme verifies, and anything but an Argon2id hash at today's parameters answers
 * `needsRehash` once the password is right, so log-in.ts moves each user to it on their next login.
 * scrypt (scrypt-hasher.ts) is kept only to verify the hashes made before.
 */
import * as argon2id from './argon2id-hasher';
import * as scrypt from './scrypt-hasher';

export interface PasswordCheck {
  valid: boolean;
  needsRehash: boolean;
}

export const hashPassword = (password: string): Promise<string> => argon2id.hashPassword(password);

export async function verifyPassword(password: string, encoded: string): Promise<PasswordCheck> {
  if (encoded.startsWith('$argon2id$')) return argon2id.verifyPassword(password, encoded);
  if (encoded.startsWith('scrypt$')) {
    const { valid } = await scrypt.verifyPassword(password, encoded);
    return { valid, needsRehash: valid };
  }
  return { valid: false, needsRehash: false };
}

/** The work of one verification of today's scheme, for a login whose email is unknown (see log-in.ts). */
export const verifyAgainstDummy = (password: string): Promise<void> => argon2id.verifyAgainstDummy(password);
