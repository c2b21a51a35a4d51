// GET /api/auth/sessions and DELETE /api/auth/sessions/:id: the caller's active sessions with device
// and location, one entry per session however often it refreshed, and revoking one of them (only
// one's own: another user's session is a 404 and keeps working).
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { refreshTokens } from '../../src/lib/storage/schema';
import { hashRefreshToken } from '../../src/lib/tokens/refresh-token';
import { stackControl } from '../test-env';
import { db, expectRefusedWithinOneSecond, login, redisBack, refresh, sidOf, sleep, type ErrorReply } from '../support';
import { api, randomIp, signUp } from './api';

interface SessionView {
  id: string;
  deviceName: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  country: string | null;
  city: string | null;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  current: boolean;
}

const BERLIN = { country: 'DE', city: 'Berlin', latitude: 52.52, longitude: 13.4 };
const AUSTIN = { country: 'US', city: 'Austin', latitude: 30.27, longitude: -97.74 };
const FIREFOX = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:132.0) Gecko/20100101 Firefox/132.0';
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const listSessions = (accessToken: string) =>
  api<{ sessions: SessionView[] }>('/api/auth/sessions', { token: accessToken });

const deleteSession = (accessToken: string, id: string) =>
  api<ErrorReply | null>(`/api/auth/sessions/${id}`, { method: 'DELETE', token: accessToken });

/** A user with exactly two live sessions, Berlin (the caller) and Austin; the signup session is ended in the database. */
async function userWithTwoSessions() {
  const s = await signUp({ deviceName: 'signup device' });
  await db.execute(
    sql`update sessions set revoked_at = now(), revoked_reason = 'test_setup' where id = ${sidOf(s.accessToken)}`,
  );
  const berlinIp = randomIp();
  const austinIp = randomIp();
  const berlin = await login(s.email, 'Ada’s laptop', { ip: berlinIp, cf: BERLIN, headers: { 'user-agent': FIREFOX } });
  const austin = await login(s.email, 'Ada’s phone', { ip: austinIp, cf: AUSTIN, headers: { 'user-agent': CHROME } });
  return { s, berlin, austin, berlinIp, austinIp };
}

describe('GET /api/auth/sessions', () => {
  it('lists each active session with device, address, agent, location, times, and marks the caller’s as current', async () => {
    const { berlin, austin, berlinIp, austinIp } = await userWithTwoSessions();
    const res = await listSessions(berlin.accessToken);
    expect(res.status).toBe(200);
    const { sessions } = res.body;
    expect(sessions).toHaveLength(2);

    const mine = sessions.find((x) => x.id === sidOf(berlin.accessToken));
    const theirs = sessions.find((x) => x.id === sidOf(austin.accessToken));
    expect(mine).toMatchObject({
      deviceName: 'Ada’s laptop',
      ipAddress: berlinIp,
      userAgent: FIREFOX,
      country: 'DE',
      city: 'Berlin',
      current: true,
    });
    expect(theirs).toMatchObject({
      deviceName: 'Ada’s phone',
      ipAddress: austinIp,
      userAgent: CHROME,
      country: 'US',
      city: 'Austin',
      current: false,
    });
    for (const session of sessions) {
      expect(Object.keys(session).sort()).toEqual([
        'city',
        'country',
        'createdAt',
        'current',
        'deviceName',
        'expiresAt',
        'id',
        'ipAddress',
        'lastUsedAt',
        'userAgent',
      ]);
      for (const field of ['createdAt', 'lastUsedAt', 'expiresAt'] as const) {
        expect(session[field]).toMatch(ISO);
        expect(new Date(session[field]).toISOString()).toBe(session[field]);
      }
      expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now());
      expect(Date.parse(session.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(session.createdAt));
    }
    expect(sessions.filter((x) => x.current)).toHaveLength(1);

    // Asked from the other session, "current" moves with the caller.
    const fromAustin = await listSessions(austin.accessToken);
    expect(fromAustin.status).toBe(200);
    expect(fromAustin.body.sessions.filter((x) => x.current).map((x) => x.id)).toEqual([sidOf(austin.accessToken)]);
  });

  it('keeps one entry per session (not per token) across refreshes', async () => {
    const { berlin, austin } = await userWithTwoSessions();
    let token = berlin.refreshToken;
    let access = berlin.accessToken;
    for (let i = 0; i < 3; i++) {
      const r = await refresh(token);
      expect(r.status).toBe(200);
      token = r.body.refreshToken;
      access = r.body.accessToken;
    }
    // Two concurrent refreshes from the laptop inside the reuse interval leave two live tokens in one
    // session (from another device the second would be reuse).
    const fromLaptop = (refreshToken: string) =>
      api<{ accessToken: string; refreshToken: string }>('/api/auth/refresh', {
        body: { refreshToken },
        headers: { 'user-agent': FIREFOX },
      });
    const [a, b] = await Promise.all([fromLaptop(token), fromLaptop(token)]);
    expect(a?.status).toBe(200);
    expect(b?.status).toBe(200);
    access = a?.body.accessToken ?? access;

    const rows = await db
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.sessionId, sidOf(berlin.accessToken)));
    expect(rows.length).toBe(6);

    const res = await listSessions(access);
    expect(res.status).toBe(200);
    expect(res.body.sessions).toHaveLength(2);
    expect(res.body.sessions.map((x) => x.id).sort()).toEqual(
      [sidOf(berlin.accessToken), sidOf(austin.accessToken)].sort(),
    );
    const mine = res.body.sessions.find((x) => x.current);
    expect(mine?.id).toBe(sidOf(berlin.accessToken));
    expect(mine?.deviceName).toBe('Ada’s laptop');
    const [first] = await db
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, await hashRefreshToken(berlin.refreshToken)));
    expect(mine?.createdAt).toBe(first?.createdAt.toISOString());
    expect(Date.parse(mine?.lastUsedAt ?? '')).toBeGreaterThan(Date.parse(mine?.createdAt ?? ''));
  });
});

describe('DELETE /api/auth/sessions/:id', () => {
  it('revokes another of the caller’s sessions: 204, gone from the list, its tokens refused', async () => {
    const { berlin, austin } = await userWithTwoSessions();
    const austinSid = sidOf(austin.accessToken);
    expect((await api('/api/auth/me', { token: austin.accessToken })).status).toBe(200);

    const del = await deleteSession(berlin.accessToken, austinSid);
    const revokedAt = Date.now();
    expect(del.status).toBe(204);
    expect(del.body).toBeNull();

    await expectRefusedWithinOneSecond(austin.accessToken, revokedAt);
    const r = await refresh(austin.refreshToken);
    expect(r.status).toBe(401);
    expect((r.body as unknown as ErrorReply).error).toBe('TOKEN_REVOKED');

    const list = await listSessions(berlin.accessToken);
    expect(list.status).toBe(200);
    expect(list.body.sessions.map((x) => x.id)).toEqual([sidOf(berlin.accessToken)]);
    for (const row of await db.select().from(refreshTokens).where(eq(refreshTokens.sessionId, austinSid))) {
      expect(row.revokedAt).toBeInstanceOf(Date);
    }

    // The caller's own session is untouched; deleting the revoked one again is a 404.
    expect((await api('/api/auth/me', { token: berlin.accessToken })).status).toBe(200);
    expect((await refresh(berlin.refreshToken)).status).toBe(200);
    const again = await deleteSession(berlin.accessToken, austinSid);
    expect(again.status).toBe(404);
    expect(again.body?.error).toBe('NOT_FOUND');
  });

  it('revokes the caller’s own current session too: 204, then its own tokens are refused', async () => {
    const { berlin, austin } = await userWithTwoSessions();
    const del = await deleteSession(berlin.accessToken, sidOf(berlin.accessToken));
    const revokedAt = Date.now();
    expect(del.status).toBe(204);
    await expectRefusedWithinOneSecond(berlin.accessToken, revokedAt);
    expect((await refresh(berlin.refreshToken)).status).toBe(401);
    const list = await listSessions(austin.accessToken);
    expect(list.body.sessions.map((x) => x.id)).toEqual([sidOf(austin.accessToken)]);
  });

  it('treats the id case-insensitively (a uuid is a uuid): an upper-case id revokes the session and its access token', async () => {
    const { berlin, austin } = await userWithTwoSessions();
    const austinSid = sidOf(austin.accessToken);
    const del = await deleteSession(berlin.accessToken, austinSid.toUpperCase());
    const revokedAt = Date.now();
    // Either the id is refused as not found (nothing revoked) or the session is fully ended: never half.
    if (del.status === 404) {
      expect((await api('/api/auth/me', { token: austin.accessToken })).status).toBe(200);
      return;
    }
    expect(del.status).toBe(204);
    expect((await refresh(austin.refreshToken)).status).toBe(401);
    await expectRefusedWithinOneSecond(austin.accessToken, revokedAt);
  });

  it('answers 404 NOT_FOUND for a random session id', async () => {
    const s = await signUp();
    const res = await deleteSession(s.accessToken, crypto.randomUUID());
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'NOT_FOUND', message: expect.any(String) });
  });

  it('answers 404 for another user’s session, which keeps working', async () => {
    const alice = await signUp();
    const bob = await signUp();
    const bobSid = sidOf(bob.accessToken);

    const res = await deleteSession(alice.accessToken, bobSid);
    expect(res.status).toBe(404);
    expect(res.body?.error).toBe('NOT_FOUND');

    for (const row of await db.select().from(refreshTokens).where(eq(refreshTokens.sessionId, bobSid))) {
      expect(row.revokedAt).toBeNull();
    }
    await sleep(1_100); // past the 1-second rule: a revocation that missed this session would show by now
    expect((await api('/api/auth/me', { token: bob.accessToken })).status).toBe(200);
    const r = await refresh(bob.refreshToken);
    expect(r.status).toBe(200);
    expect((await listSessions(bob.accessToken)).body.sessions.map((x) => x.id)).toEqual([bobSid]);
  });

  it('answers 400 VALIDATION_ERROR for an id that is not a uuid', async () => {
    const s = await signUp();
    for (const id of ['not-a-uuid', '12345', `${crypto.randomUUID()}x`]) {
      const res = await deleteSession(s.accessToken, id);
      expect(res.status, id).toBe(400);
      expect(res.body?.error).toBe('VALIDATION_ERROR');
    }
    expect((await api('/api/auth/me', { token: s.accessToken })).status).toBe(200);
  });

  it('requires a Bearer token', async () => {
    const s = await signUp();
    const res = await api<ErrorReply>(`/api/auth/sessions/${sidOf(s.accessToken)}`, { method: 'DELETE' });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('UNAUTHORIZED');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await api('/api/auth/me', { token: s.accessToken })).status).toBe(200);
  });
});

describe('DELETE /api/auth/sessions/:id while Redis is unavailable', () => {
  afterEach(async () => {
    await stackControl('redis', 'start');
  });

  it('still ends the session: its access token is refused during the outage and after Redis is back', async () => {
    const { berlin, austin } = await userWithTwoSessions();
    await stackControl('redis', 'stop');
    const del = await deleteSession(berlin.accessToken, sidOf(austin.accessToken));
    const revokedAt = Date.now();
    expect(del.status).toBe(204);
    await expectRefusedWithinOneSecond(austin.accessToken, revokedAt);

    await stackControl('redis', 'start');
    await redisBack();
    const after = await api<ErrorReply>('/api/auth/me', { token: austin.accessToken });
    expect(after.status).toBe(401);
    expect(after.body.error).toBe('TOKEN_REVOKED');
    expect((await api('/api/auth/me', { token: berlin.accessToken })).status).toBe(200);
  });
});
