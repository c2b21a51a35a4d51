/**
 * Google sign-in: a verified Google identity signs in the user it is linked to, or the user with
 * that verified email (linking it), or a new user. Only a verified email may link, so nobody can
 * claim an existing account with an unverified address; and linking to a password account whose
 * address was never proven ends that account's password and sessions first (see google-link-store).
 * An account linked to one Google subject is never opened by another with the same email: Google
 * Workspace addresses are recycled, the subject is the identity.
 */
import type { Database } from '../storage/database';
import type { GoogleIdentity } from '../tokens/google-id-token';
import { findUserByEmail, findUserByGoogleSubject, insertUser, toPublicUser, type PublicUser } from './user-store';
import { linkGoogleIdentity } from './google-link-store';
import { lockRefuses } from './account-lock';
import type { UserRow } from '../storage/schema';

export interface GoogleLink {
  passwordCleared: boolean;
  sessionsEnded: number;
}

export type GoogleSignInResult =
  | { kind: 'signed_in'; user: PublicUser; created: boolean; link: GoogleLink | null }
  | { kind: 'locked'; user: PublicUser; until: Date }
  | { kind: 'linked_to_other_subject'; user: PublicUser };

export async function signInWithGoogle(db: Database, identity: GoogleIdentity, now: Date): Promise<GoogleSignInResult> {
  const first = await attempt(db, identity, now);
  // Lost a race with a concurrent sign-in for the same identity or email: its outcome is now stored.
  const result = first ?? (await attempt(db, identity, now));
  if (!result) throw new Error('google sign-in: the account changed under two attempts in a row');
  return result;
}

/** One pass over what is stored; undefined when a concurrent write got in between (look again). */
async function attempt(db: Database, identity: GoogleIdentity, now: Date): Promise<GoogleSignInResult | undefined> {
  const bySubject = await findUserByGoogleSubject(db, identity.subject);
  if (bySubject)
    return (
      lockedOut(bySubject, now) ?? { kind: 'signed_in', user: toPublicUser(bySubject), created: false, link: null }
    );

  const byEmail = await findUserByEmail(db, identity.email);
  if (byEmail) {
    if (byEmail.googleSubject !== null) return { kind: 'linked_to_other_subject', user: toPublicUser(byEmail) };
    const locked = lockedOut(byEmail, now);
    if (locked) return locked;
    const link = await linkGoogleIdentity(db, byEmail.id, identity.subject, now);
    if (!link.linked) return undefined;
    const { passwordCleared, sessionsEnded } = link;
    return { kind: 'signed_in', user: toPublicUser(byEmail), created: false, link: { passwordCleared, sessionsEnded } };
  }

  const name = identity.name ?? identity.email.split('@')[0] ?? 'Google user';
  const created = await insertUser(db, {
    email: identity.email,
    name,
    passwordHash: null,
    googleSubject: identity.subject,
    emailVerifiedAt: now,
  });
  return created ? { kind: 'signed_in', user: toPublicUser(created), created: true, link: null } : undefined;
}

function lockedOut(user: UserRow, now: Date): GoogleSignInResult | undefined {
  if (!lockRefuses(user, 'google', now) || !user.lockedUntil) return undefined;
  return { kind: 'locked', user: toPublicUser(user), until: user.lockedUntil };
}
