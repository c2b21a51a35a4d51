// Refresh-token reuse detection: a rotated token replayed after the reuse interval revokes the whole
// session (every token, and so its access tokens on every Bearer route), answers 401 TOKEN_REUSED and
// records session_hijack_attempt; the user's other sessions are untouched. Inside the interval a
// replay is a retry of the same client and succeeds. Time is simulated by moving rotated_at back.
import { env } from 'cloudflare:workers';
import { eq, sql } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { refreshTokens } from '../../src/lib/storage/schema';
import { hashRefreshToken } from '../../src/lib/tokens/refresh-token';
import { stackControl } from '../test-env';
import {
  db,
  eventsWhere,
  expectRefusedWithinOneSecond,
  login,
  mustTokenRow,
  redisBack,
  refresh,
  waitForEvents,
  type ErrorReply,
} from '../support';
import { api, signUp } from './api';

const REUSE_INTERVAL_SECONDS = Number(env.REFRESH_REUSE_INTERVAL_SECONDS); // 10 by default

const sessionRows = (sessionId: string) =>
  db.select().from(refreshTokens).where(eq(refreshTokens.sessionId, sessionId));

/** Simulates "longer ago than the reuse interval (10 s)" without sleeping. */
async function ageRotation(token: string, seconds = REUSE_INTERVAL_SECONDS + 1): Promise<void> {
  const hash = await hashRefreshToken(token);
  await db.execute(
    sql`update refresh_tokens set rotated_at = rotated_at - make_interval(secs => ${seconds}) where token_hash = ${hash}`,
  );
}

describe('POST /api/auth/refresh: reuse after the interval', () => {
  it('revokes the whole session, answers TOKEN_REUSED and records session_hijack_attempt; other sessions live on', async () => {
    const s = await signUp({ deviceName: 'phone' });
    const other = await login(s.email, 'laptop');

    // A family of three: RT0 -> RT1 -> RT2 (the newest).
    const r1 = await refresh(s.refreshToken);
    expect(r1.status).toBe(200);
    const r2 = await refresh(r1.body.refreshToken);
    expect(r2.status).toBe(200);
    const newestAccess = r2.body.accessToken;
    expect((await api('/api/auth/me', { token: newestAccess })).status).toBe(200);

    const first = await mustTokenRow(s.refreshToken);
    const sessionId = first.sessionId;
    expect(await sessionRows(sessionId)).toHaveLength(3);

    // RT0 comes back after the interval: a copy is in someone else's hands.
    await ageRotation(s.refreshToken);
    const replay = await refresh<ErrorReply>(s.refreshToken);
    const revokedAt = Date.now();
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({ error: 'TOKEN_REUSED', message: expect.any(String) });

    // Every token of the family is revoked, and nothing new was issued.
    const rows = await sessionRows(sessionId);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.revokedAt, row.id).toBeInstanceOf(Date);

    // The newest access token is refused within 1 s; the newest refresh token no longer works.
    await expectRefusedWithinOneSecond(newestAccess, revokedAt);
    const late = await refresh<ErrorReply>(r2.body.refreshToken);
    expect(late.status).toBe(401);
    expect(late.body.error).toBe('TOKEN_REVOKED');
    // A second replay of the stolen token is now a revoked token.
    const again = await refresh<ErrorReply>(s.refreshToken);
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('TOKEN_REVOKED');

    // A high-severity session_hijack_attempt for this user, naming the session.
    const hijacks = await waitForEvents(s.user.id, 'session_hijack_attempt');
    expect(hijacks.length).toBeGreaterThanOrEqual(1);
    expect(hijacks[0]).toMatchObject({ severity: 'high', userId: s.user.id, tokenId: first.id });
    expect(hijacks[0]?.metadata).toMatchObject({ sessionId });
    expect(JSON.stringify(hijacks)).not.toContain(s.refreshToken);

    // The user's other session is untouched.
    const otherSid = decodeJwt(other.accessToken).sid as string;
    expect(otherSid).not.toBe(sessionId);
    for (const row of await sessionRows(otherSid)) expect(row.revokedAt).toBeNull();
    expect((await api('/api/auth/me', { token: other.accessToken })).status).toBe(200);
    const otherRefresh = await refresh(other.refreshToken);
    expect(otherRefresh.status).toBe(200);
    expect((await api('/api/auth/me', { token: otherRefresh.body.accessToken })).status).toBe(200);
  });

  it('treats a replay of a middle token of the family the same way', async () => {
    const s = await signUp();
    const r1 = await refresh(s.refreshToken);
    const r2 = await refresh(r1.body.refreshToken);
    expect(r2.status).toBe(200);
    await ageRotation(r1.body.refreshToken);

    const replay = await refresh<ErrorReply>(r1.body.refreshToken);
    const revokedAt = Date.now();
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('TOKEN_REUSED');
    const sessionId = decodeJwt(s.accessToken).sid as string;
    for (const row of await sessionRows(sessionId)) expect(row.revokedAt).toBeInstanceOf(Date);
    await expectRefusedWithinOneSecond(r2.body.accessToken, revokedAt);
    expect((await refresh<ErrorReply>(r2.body.refreshToken)).body.error).toBe('TOKEN_REVOKED');
  });
});

describe('POST /api/auth/refresh: reuse inside the interval', () => {
  it('answers 200 to an immediate replay of the old token and revokes nothing', async () => {
    const s = await signUp();
    const sessionId = decodeJwt(s.accessToken).sid as string;

    const r1 = await refresh(s.refreshToken);
    expect(r1.status).toBe(200);
    const r1b = await refresh(s.refreshToken);
    expect(r1b.status).toBe(200);
    expect(r1b.body.refreshToken).not.toBe(r1.body.refreshToken);
    expect(r1b.body.refreshToken).not.toBe(s.refreshToken);
    expect(decodeJwt(r1b.body.accessToken).sid).toBe(sessionId);

    const rows = await sessionRows(sessionId);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.revokedAt, row.id).toBeNull();

    // Both successors work, and so do the access tokens.
    for (const access of [s.accessToken, r1.body.accessToken, r1b.body.accessToken]) {
      expect((await api('/api/auth/me', { token: access })).status).toBe(200);
    }
    expect((await refresh(r1.body.refreshToken)).status).toBe(200);
    expect((await refresh(r1b.body.refreshToken)).status).toBe(200);

    // Four refreshes, no alarm.
    const refreshed = await waitForEvents(s.user.id, 'token_refreshed', (r) => r.length >= 4);
    expect(refreshed).toHaveLength(4);
    expect(await eventsWhere({ userId: s.user.id, type: 'session_hijack_attempt' })).toHaveLength(0);
  });

  it('treats a replay from another device as reuse, even inside the interval: the stolen copy forks nothing', async () => {
    const s = await signUp();
    const sessionId = decodeJwt(s.accessToken).sid as string;
    const r1 = await refresh(s.refreshToken);
    expect(r1.status).toBe(200);
    const iphone =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
    const stolen = await api<ErrorReply>('/api/auth/refresh', {
      body: { refreshToken: s.refreshToken },
      headers: { 'user-agent': iphone },
    });
    expect(stolen.status).toBe(401);
    expect(stolen.body.error).toBe('TOKEN_REUSED');
    // The whole session ends: the rightful successor too.
    expect((await refresh(r1.body.refreshToken)).status).toBe(401);
    for (const row of await sessionRows(sessionId)) expect(row.revokedAt, row.id).not.toBeNull();
    await waitForEvents(s.user.id, 'session_hijack_attempt');
  });

  it('answers 200 just inside the interval (rotated interval - 2 s ago)', async () => {
    const s = await signUp();
    const r1 = await refresh(s.refreshToken);
    expect(r1.status).toBe(200);
    await ageRotation(s.refreshToken, REUSE_INTERVAL_SECONDS - 2);
    const r1b = await refresh(s.refreshToken);
    expect(r1b.status).toBe(200);
    const sessionId = decodeJwt(s.accessToken).sid as string;
    for (const row of await sessionRows(sessionId)) expect(row.revokedAt).toBeNull();
  });
});

describe('POST /api/auth/refresh: reuse while Redis is unavailable', () => {
  afterEach(async () => {
    await stackControl('redis', 'start');
  });

  it('still revokes the session: its newest access token is refused during the outage and after Redis is back', async () => {
    const s = await signUp();
    const r1 = await refresh(s.refreshToken);
    expect(r1.status).toBe(200);
    await ageRotation(s.refreshToken);

    await stackControl('redis', 'stop');
    const replay = await refresh<ErrorReply>(s.refreshToken);
    const revokedAt = Date.now();
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('TOKEN_REUSED');
    await expectRefusedWithinOneSecond(r1.body.accessToken, revokedAt);

    await stackControl('redis', 'start');
    await redisBack();
    const after = await api<ErrorReply>('/api/auth/me', { token: r1.body.accessToken });
    expect(after.status).toBe(401);
    expect(after.body.error).toBe('TOKEN_REVOKED');
  });
});
