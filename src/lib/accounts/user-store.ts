/** The users table, through narrow functions: what the auth flows need and nothing more. */
import { eq, sql } from 'drizzle-orm';
import { users, type Role, type UserRow } from '../storage/schema';
import type { Database } from '../storage/database';

export type PublicUser = Pick<UserRow, 'id' | 'email' | 'name' | 'role'>;

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export const toPublicUser = (user: PublicUser): PublicUser => ({
  id: user.id,
  email: user.email,
  name: user.name,
  role: user.role,
});

/** The user's columns of a raw-SQL row (`id`, `email`, `name`, `role`), for the statements that join users in. */
export const publicUserFromRow = (row: Record<string, unknown>): PublicUser => ({
  id: row.id as string,
  email: row.email as string,
  name: row.name as string,
  role: row.role as Role,
});

export async function findUserByEmail(db: Database, email: string): Promise<UserRow | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = ${normalizeEmail(email)}`)
    .limit(1);
  return user;
}

/** Inserts a user; undefined when the email is taken (the unique index decides, so two racing signups cannot both win). */
export async function insertUser(
  db: Database,
  user: {
    email: string;
    name: string;
    passwordHash: string | null;
    googleSubject?: string | null;
    emailVerifiedAt?: Date | null;
  },
): Promise<UserRow | undefined> {
  const [row] = await db
    .insert(users)
    .values({
      email: normalizeEmail(user.email),
      name: user.name,
      passwordHash: user.passwordHash,
      googleSubject: user.googleSubject ?? null,
      emailVerifiedAt: user.emailVerifiedAt ?? null,
    })
    .onConflictDoNothing()
    .returning();
  return row;
}

/**
 * Whether any stored password hash is still scrypt (made before Argon2id, moved at each owner's next
 * login): password checks cost both schemes while it is so (password-hasher.ts). Asked at most every
 * 10 minutes per isolate, as an index probe (`users_scrypt_hash_idx` holds those rows alone). The value
 * is kept, not the promise: a request may not await another's I/O. Unanswered: assume they remain.
 */
const SCRYPT_CHECK_EVERY_MS = 10 * 60_000;
let scryptRemain: { at: number; remain: boolean } | undefined;

export async function scryptHashesRemain(db: Database, now: Date): Promise<boolean> {
  if (scryptRemain && now.getTime() - scryptRemain.at < SCRYPT_CHECK_EVERY_MS) return scryptRemain.remain;
  const remain = await db
    .execute(sql`select exists (select 1 from users where password_hash like 'scrypt$%') as remain`)
    .then((result) => (result.rows[0] as { remain?: boolean } | undefined)?.remain === true)
    .catch(() => true);
  scryptRemain = { at: now.getTime(), remain };
  return remain;
}

export async function updatePasswordHash(db: Database, userId: string, passwordHash: string, now: Date): Promise<void> {
  await db.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, userId));
}

export async function findUserByGoogleSubject(db: Database, googleSubject: string): Promise<UserRow | undefined> {
  const [user] = await db.select().from(users).where(eq(users.googleSubject, googleSubject)).limit(1);
  return user;
}

export async function findUserById(db: Database, id: string): Promise<UserRow | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(sql`${users.id} = ${id}`)
    .limit(1);
  return user;
}
