/**
 * Makes a signed-in user for dashboard tests without the auth Worker: a user row, a live session row,
 * and an access token signed with the run's key, the one the auth Worker beside the dashboard signs with
 * and publishes (tests/auth-workers.ts).
 */
import { env, exports } from 'cloudflare:workers';
import { createDatabase } from '../../src/lib/storage/database';
import { users, refreshTokens, sessions, type Role } from '../../src/lib/storage/schema';
import { loadKeySet } from '../../src/lib/tokens/signing-keys';
import { signAccessToken } from '../../src/lib/tokens/access-token';

export const testEnv = env as typeof env & { JWT_PRIVATE_JWK: string };
export const db = createDatabase({ url: testEnv.DATABASE_URL, fetchEndpoint: testEnv.NEON_FETCH_ENDPOINT });

/** A user of `role` signed in at `now` (a test's own clock may be far from the real one). */
export async function signedIn(
  role: Role,
  now = new Date(),
): Promise<{ userId: string; sessionId: string; token: string }> {
  const [user] = await db
    .insert(users)
    .values({ email: `${role}-${crypto.randomUUID()}@example.com`, name: role, passwordHash: null, role })
    .returning();
  if (!user) throw new Error('no user row');
  const sessionId = crypto.randomUUID();
  const later = new Date(now.getTime() + 3_600_000);
  await db.insert(sessions).values({
    id: sessionId,
    userId: user.id,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: later,
    idleExpiresAt: later,
  });
  await db.insert(refreshTokens).values({
    tokenHash: crypto.randomUUID().replace(/-/g, '').repeat(2),
    sessionId,
    createdAt: now,
    expiresAt: later,
  });
  const keys = await loadKeySet(JSON.parse(testEnv.JWT_PRIVATE_JWK), []);
  const { token } = await signAccessToken(
    { userId: user.id, sessionId, role },
    keys.signing,
    { issuer: testEnv.JWT_ISSUER, audience: testEnv.JWT_AUDIENCE },
    now,
    900,
  );
  return { userId: user.id, sessionId, token };
}

export type DashboardBody = Record<string, unknown> & { error?: string; details?: Array<{ field: string }> };

/** A call to the dashboard Worker under test, as an admin's client makes it. */
export async function callDashboard(path: string, token: string, method = 'GET', body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await exports.default.fetch(
    new Request(`http://dashboard.test${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as DashboardBody };
}
