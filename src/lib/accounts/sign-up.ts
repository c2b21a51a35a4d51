/** Creating an account with a password. */
import type { Database } from '../storage/database';
import { hashPassword } from '../passwords/password-hasher';
import { insertUser, type PublicUser } from './user-store';

export type SignUpResult = { ok: true; user: PublicUser } | { ok: false; reason: 'email_taken' };

export async function signUp(
  db: Database,
  input: { email: string; password: string; name: string },
): Promise<SignUpResult> {
  // Hash first: the insert is the only write, so a taken email stores nothing at all.
  const passwordHash = await hashPassword(input.password);
  const user = await insertUser(db, { email: input.email, name: input.name.trim(), passwordHash });
  return user ? { ok: true, user } : { ok: false, reason: 'email_taken' };
}
