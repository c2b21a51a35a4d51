/**
 * Checking a password login. The same hashing work is spent whether the email is known or not, so
 * timing does not reveal which emails have accounts. A locked account answers `locked` whatever the
 * password (after the same hashing work): were only the right password told "locked", the lock would
 * tell a guesser when they had found it. The same holds for a guarded address (credential stuffing
 * seen there, address-guard.ts): every password login from it that is not on a device the account
 * knows answers `address_guarded`, right password or not.
 */
import { bruteForceLocked, lockRefuses } from './account-lock';
import { isKnownDevice } from './known-device';
import type { Database } from '../storage/database';
import { verifyAgainstDummy, verifyPassword, hashPassword } from '../passwords/password-hasher';
import { findUserByEmail, scryptHashesRemain, toPublicUser, updatePasswordHash, type PublicUser } from './user-store';

export type LogInResult =
  | { ok: true; user: PublicUser; rehash: () => Promise<void> | undefined }
  | { ok: false; reason: 'unknown_user' }
  | { ok: false; reason: 'wrong_password' | 'no_password'; userId: string }
  | { ok: false; reason: 'address_guarded'; userId: string | null }
  | { ok: false; reason: 'locked'; userId: string; lockedUntil: Date };

export interface LogInAttempt {
  email: string;
  password: string;
  /** The client's device fingerprint: a device the account knows passes a brute-force lock and a guard. */
  fingerprint: string;
  /** Whether the client's address is guarded; read alongside the password work, awaited after it. */
  addressGuarded: Promise<boolean>;
}

export async function logIn(db: Database, input: LogInAttempt, now: Date): Promise<LogInResult> {
  const [user, legacy] = await Promise.all([findUserByEmail(db, input.email), scryptHashesRemain(db, now)]);
  const options = { scryptHashesRemain: legacy };
  if (!user?.passwordHash) {
    await verifyAgainstDummy(input.password, options);
    if (await input.addressGuarded) return { ok: false, reason: 'address_guarded', userId: user?.id ?? null };
    return user ? { ok: false, reason: 'no_password', userId: user.id } : { ok: false, reason: 'unknown_user' };
  }
  const check = await verifyPassword(input.password, user.passwordHash, options);
  const guarded = await input.addressGuarded;
  // Asked only while the account or the address is under attack: one indexed query, not on every login.
  const known = (guarded || bruteForceLocked(user, now)) && (await isKnownDevice(db, user.id, input.fingerprint, now));
  if (lockRefuses(user, 'password', now, { known }) && user.lockedUntil)
    return { ok: false, reason: 'locked', userId: user.id, lockedUntil: user.lockedUntil };
  if (guarded && !known) return { ok: false, reason: 'address_guarded', userId: user.id };
  if (!check.valid) return { ok: false, reason: 'wrong_password', userId: user.id };
  const rehash = () =>
    check.needsRehash
      ? hashPassword(input.password).then((hash) => updatePasswordHash(db, user.id, hash, now))
      : undefined;
  return { ok: true, user: toPublicUser(user), rehash };
}
