/**
 * Helpers shared by the test files: waiting and polling, the test database and its security events,
 * and the auth calls several files make. Requests go through tests/auth/api.ts.
 */
import { and, eq, getTableColumns } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { expect } from 'vitest';
import {
  refreshTokens,
  securityEvents,
  sessions,
  type RefreshTokenRow,
  type SecurityEventRow,
  type SessionRow,
} from '../src/lib/storage/schema';
import { createDatabase } from '../src/lib/storage/database';
import { hashRefreshToken } from '../src/lib/tokens/refresh-token';
import { api, PASSWORD, randomIp, type Call, type Reply, type Tokens } from './auth/api';
import { testEnv } from './test-env';

// --- waiting ---

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads every 100 ms until `done(value)` holds or `timeoutMs` has passed; answers the last value read either way. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(100);
    value = await read();
  }
  return value;
}

/** Until /health says Redis answers again (a restarted Redis is only useful once it serves); throws after `timeoutMs`. */
export async function redisBack(timeoutMs = 10_000): Promise<void> {
  let last: unknown;
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    const health = await api<{ checks?: { redis?: string } }>('/health');
    if (health.body.checks?.redis === 'ok') return;
    last = health.body;
  }
  throw new Error(`Redis did not come back: ${JSON.stringify(last)}`);
}

// --- the database ---

/** The test stack's Postgres, reached through the Neon bridge as the Worker reaches it. */
export const db = createDatabase({ url: testEnv.DATABASE_URL, fetchEndpoint: testEnv.NEON_FETCH_ENDPOINT });

/** Which security events to read: every field given must match. */
export interface EventFilter {
  userId?: string;
  ip?: string;
  type?: string;
}

/** The security_events rows that match every field of `filter` (at least one field is required). */
export function eventsWhere(filter: EventFilter) {
  const conditions = [
    filter.userId !== undefined ? eq(securityEvents.userId, filter.userId) : undefined,
    filter.ip !== undefined ? eq(securityEvents.ipAddress, filter.ip) : undefined,
    filter.type !== undefined ? eq(securityEvents.eventType, filter.type) : undefined,
  ].filter((c) => c !== undefined);
  if (conditions.length === 0) throw new Error('eventsWhere: give a userId, an ip or a type');
  return db
    .select()
    .from(securityEvents)
    .where(and(...conditions));
}

/** Every security event of one user. */
export const eventsOfUser = (userId: string) => eventsWhere({ userId });

/** Every security event from one client address. */
export const eventsFromIp = (ip: string) => eventsWhere({ ip });

/** Security events are written after the response (waitUntil): polls a user's events of one type until `enough` holds (about 3 s). */
export const waitForEvents = (
  userId: string,
  type: string,
  enough: (rows: SecurityEventRow[]) => boolean = (r) => r.length > 0,
) => eventually(() => eventsWhere({ userId, type }), enough);

/** The refresh_tokens row of a token; throws when there is none. */
export async function mustTokenRow(token: string): Promise<RefreshTokenRow> {
  const [row] = await db
    .select()
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, await hashRefreshToken(token)));
  if (!row) throw new Error('no refresh_tokens row for the token');
  return row;
}

/** Every refresh_tokens row of a user's sessions. */
export const tokenRowsOfUser = (userId: string) =>
  db
    .select(getTableColumns(refreshTokens))
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .where(eq(sessions.userId, userId));

/** The sessions row of a session; throws when there is none. */
export async function mustSessionRow(sessionId: string): Promise<SessionRow> {
  const [row] = await db.select().from(sessions).where(eq(sessions.id, sessionId));
  if (!row) throw new Error('no sessions row for the session');
  return row;
}

// --- auth calls and replies ---

/** A password of our own per test, so a search for it in stored rows means something. */
export const uniquePassword = () => `pw ${crypto.randomUUID()} stays secret`;

/** The whole token response of signup, login and refresh. */
export interface TokenBody {
  token: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: string;
  user: { id: string; email: string; name: string; role: string };
}

/** The error body of the auth API (`details` on validation errors). */
export interface ErrorReply {
  error: string;
  message: string;
  details?: { field: string; problem: string }[];
}

/** POST /api/auth/refresh from a fresh address unless `ip` is given. */
export const refresh = <T = Tokens>(refreshToken: string, ip = randomIp()) =>
  api<T>('/api/auth/refresh', { body: { refreshToken }, ip });

/** A new session by password (PASSWORD) from a fresh address unless `call` says otherwise; throws unless 200. */
export async function login(email: string, deviceName: string, call: Omit<Call, 'body'> = {}): Promise<Tokens> {
  const res = await api<Tokens>('/api/auth/login', {
    ip: randomIp(),
    ...call,
    body: { email, password: PASSWORD, deviceName },
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The session id (`sid` claim) of an access token. */
export const sidOf = (accessToken: string) => decodeJwt(accessToken).sid as string;

/** The contract's 1-second rule: an access token of a revoked session is refused within 1 s of the revocation. */
export async function expectRefusedWithinOneSecond(accessToken: string, revokedAt: number): Promise<void> {
  let last = await api<ErrorReply>('/api/auth/me', { token: accessToken });
  while (last.status !== 401 && Date.now() - revokedAt < 1_000) {
    await sleep(50);
    last = await api<ErrorReply>('/api/auth/me', { token: accessToken });
  }
  expect(last.status).toBe(401);
  expect(last.body.error).toBe('TOKEN_REVOKED');
}

/** A RATE_LIMIT_EXCEEDED body whose retryAfter (whole seconds, 1 to 60) is also the Retry-After header. */
export function expectRateLimitExceeded(res: Reply): void {
  expect(res.body).toEqual({
    error: 'RATE_LIMIT_EXCEEDED',
    message: expect.any(String),
    retryAfter: expect.any(Number),
  });
  const retryAfter = res.body.retryAfter as number;
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(res.headers.get('retry-after')).toBe(String(retryAfter));
}
