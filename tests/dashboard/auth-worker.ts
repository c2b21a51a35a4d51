/**
 * An admin signed in at a real auth Worker deployment bound to the dashboard's tests (AUTH, and the
 * test-only AUTH_ROTATED: see tests/auth-workers.ts), called as a client would call it.
 */
import { eq } from 'drizzle-orm';
import { users } from '../../src/lib/storage/schema';
import { PASSWORD, randomIp, uniqueEmail, type Tokens } from '../auth/api';
import { db } from './admin-session';

async function post(worker: Fetcher, path: string, body: unknown, expected: number): Promise<Tokens> {
  const res = await worker.fetch(`https://edge-auth${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36',
      'cf-connecting-ip': randomIp(),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== expected) throw new Error(`${path} at the auth Worker answered ${res.status}: ${text}`);
  return JSON.parse(text) as Tokens;
}

/** Signs up at `worker` and makes the user admin, as `npm run user:role` would. */
export async function adminSignedUpAt(worker: Fetcher): Promise<{ userId: string; email: string; token: string }> {
  const email = uniqueEmail('admin');
  const tokens = await post(worker, '/api/auth/signup', { email, password: PASSWORD, name: 'Admin' }, 201);
  await db.update(users).set({ role: 'admin' }).where(eq(users.id, tokens.user.id));
  return { userId: tokens.user.id, email, token: tokens.accessToken };
}

/** A new access token for `email`, issued by `worker`. */
export async function logInAt(worker: Fetcher, email: string): Promise<string> {
  return (await post(worker, '/api/auth/login', { email, password: PASSWORD }, 200)).accessToken;
}
