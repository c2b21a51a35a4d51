/**
 * Checking a password login. The same scrypt work is spent whether the email is known or not, so
 * timing does not reveal which emails have accounts. A locked account answers `locked` whatever the
 * password (after the same scrypt work): were only the right password told "locked", the lock would
 * tell a guesser when they had found it.
 */
import { lockRefuses } from './account-lock';
import type { Database } from '../storage/database';
import { verifyAgainstDummy, verifyPassword, hashPassword } from '../passwords/scrypt-hasher';
import { findUserByEmail, toPublicUser, updatePasswordHash, type PublicUser } from './user-store';

export type LogInResult =
  | { ok: true; user: PublicUser; rehash: () => Promise<void> | undefined }
  | { ok: false; reason: 'unknown_user' }
  | { ok: false; reason: 'wrong_password' | 'no_password'; userId: string }
  | { ok: false; reason: 'locked'; userId: string; lockedUntil: Date };

export async function logIn(db: Database, input: { email: string; password: string }, now: Date): Promise<LogInResult> {
  const user = await findUserByEmail(db, input.email);
  if (!user?.passwordHash) {
    await verifyAgainstDummy(input.password);
    return user ? { ok: false, reason: 'no_password', userId: user.id } : { ok: false, reason: 'unknown_user' };
  }
  const check = await verifyPassword(input.password, user.passwordHash);
  if (lockRefuses(user, 'password', now) && user.lockedUntil)
    return { ok: false, reason: 'locked', userId: user.id, lockedUntil: user.lockedUntil };
  if (!check.valid) return { ok: false, reason: 'wrong_password', userId: user.id };
  const rehash = () =>
    check.needsRehash
      ? hashPassword(input.password).then((hash) => updatePasswordHash(db, user.id, hash, now))
      : undefined;
  return { ok: true, user: toPublicUser(user), rehash };
}
