/**
 * Google sign-in: a verified Google identity signs in the user it is linked to, or the user with
 * that verified email (linking it), or a new user. Only a verified email may link, so nobody can
 * claim an existing account with an unverified address.
 */
import type { Database } from '../storage/database';
import type { GoogleIdentity } from '../google/google-id-token';
import { findUserByEmail, findUserByGoogleSubject, insertUser, linkGoogleSubject, toPublicUser as pick, type PublicUser } from '../users/user-store';

export type GoogleSignInResult = { user: PublicUser; created: boolean; linked: boolean; lockedUntil: Date | null };

export async function signInWithGoogle(db: Database, identity: GoogleIdentity, now: Date): Promise<GoogleSignInResult> {
  const bySubject = await findUserByGoogleSubject(db, identity.subject);
  if (bySubject) return { user: pick(bySubject), created: false, linked: false, lockedUntil: bySubject.lockedUntil };

  const byEmail = await findUserByEmail(db, identity.email);
  if (byEmail) {
    await linkGoogleSubject(db, byEmail.id, identity.subject, now);
    return { user: pick(byEmail), created: false, linked: true, lockedUntil: byEmail.lockedUntil };
  }
  const name = identity.name ?? identity.email.split('@')[0] ?? 'Google user';
  const created = await insertUser(db, { email: identity.email, name, passwordHash: null, googleSubject: identity.subject });
  if (created) return { user: pick(created), created: true, linked: false, lockedUntil: null };
  // Lost a race with a concurrent sign-in for the same email: the winner's row is the user.
  const winner = await findUserByEmail(db, identity.email);
  if (!winner) throw new Error('google sign-in: user vanished after a conflicting insert');
  return { user: pick(winner), created: false, linked: false, lockedUntil: winner.lockedUntil };
}
