// POST /api/auth/logout (idempotent, 204 even for an unknown token), POST /api/auth/logout-all
// (every session of the caller, counted), GET /api/auth/me, and the 1-second rule: an access token of
// an ended session is refused by Bearer routes though it has not expired.
import { eq } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { refreshTokens } from '../../src/lib/storage/schema';
import { newRefreshToken } from '../../src/lib/tokens/refresh-token';
import { stackControl } from '../test-env';
import {
  db,
  expectRefusedWithinOneSecond,
  login,
  redisBack,
  refresh,
  sidOf,
  sleep,
  waitForEvents,
  type ErrorReply,
  tokenRowsOfUser,
} from '../support';
import { api, randomIp, signUp } from './api';

const logout = (refreshToken: string) => api<null>('/api/auth/logout', { body: { refreshToken }, ip: randomIp() });
const logoutAll = (accessToken: string) =>
  api<{ revoked: number }>('/api/auth/logout-all', { method: 'POST', token: accessToken, ip: randomIp() });
const me = (accessToken: string) =>
  api<{ user: Record<string, unknown> } & Partial<ErrorReply>>('/api/auth/me', { token: accessToken });

describe('GET /api/auth/me', () => {
  it('returns the caller as {user: {id, email, name, role}}', async () => {
    const s = await signUp({ name: 'Ada Lovelace' });
    const res = await me(s.accessToken);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: { id: s.user.id, email: s.email, name: 'Ada Lovelace', role: 'user' } });
  });
});

describe('POST /api/auth/logout', () => {
  it('answers 204, then the refresh token is revoked and the access token refused within 1 s though not expired', async () => {
    const s = await signUp();
    const sessionId = sidOf(s.accessToken);
    expect((await me(s.accessToken)).status).toBe(200);

    const out = await logout(s.refreshToken);
    const revokedAt = Date.now();
    expect(out.status).toBe(204);
    expect(out.body).toBeNull();

    expect((decodeJwt(s.accessToken).exp ?? 0) * 1000).toBeGreaterThan(Date.now() + 60_000);
    await expectRefusedWithinOneSecond(s.accessToken, revokedAt);

    const r = await refresh<ErrorReply>(s.refreshToken);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: 'TOKEN_REVOKED', message: expect.any(String) });

    for (const row of await db.select().from(refreshTokens).where(eq(refreshTokens.sessionId, sessionId))) {
      expect(row.revokedAt).toBeInstanceOf(Date);
    }
    const events = await waitForEvents(s.user.id, 'logout');
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events[0]?.metadata).toMatchObject({ sessionId });
    expect(JSON.stringify(events)).not.toContain(s.refreshToken);
  });

  it('ends the whole session, including a token issued by a refresh', async () => {
    const s = await signUp();
    const r1 = await refresh(s.refreshToken);
    expect(r1.status).toBe(200);
    const out = await logout(r1.body.refreshToken);
    const revokedAt = Date.now();
    expect(out.status).toBe(204);
    await expectRefusedWithinOneSecond(r1.body.accessToken, revokedAt);
    await expectRefusedWithinOneSecond(s.accessToken, revokedAt);
    expect((await refresh<ErrorReply>(r1.body.refreshToken)).body.error).toBe('TOKEN_REVOKED');
  });

  it('is idempotent: the same token again answers 204', async () => {
    const s = await signUp();
    expect((await logout(s.refreshToken)).status).toBe(204);
    const again = await logout(s.refreshToken);
    expect(again.status).toBe(204);
    expect(again.body).toBeNull();
    expect((await refresh<ErrorReply>(s.refreshToken)).body.error).toBe('TOKEN_REVOKED');
  });

  it('answers 204 for an unknown or malformed token', async () => {
    for (const token of [newRefreshToken(), 'abc']) {
      const res = await logout(token);
      expect(res.status, token).toBe(204);
      expect(res.body).toBeNull();
    }
  });

  it('leaves the user’s other sessions alone', async () => {
    const s = await signUp();
    const other = await login(s.email, 'second device');
    expect((await logout(s.refreshToken)).status).toBe(204);
    await sleep(1_100);
    expect((await me(other.accessToken)).status).toBe(200);
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });
});

describe('POST /api/auth/logout-all', () => {
  it('revokes all three sessions: {revoked: 3}, every refresh and access token refused', async () => {
    const s = await signUp({ deviceName: 'one' });
    const two = await login(s.email, 'two');
    const three = await login(s.email, 'three');
    const all = [s, two, three];
    expect(new Set(all.map((t) => sidOf(t.accessToken))).size).toBe(3);
    for (const t of all) expect((await me(t.accessToken)).status).toBe(200);

    const res = await logoutAll(two.accessToken);
    const revokedAt = Date.now();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ revoked: 3 });

    for (const t of all) await expectRefusedWithinOneSecond(t.accessToken, revokedAt);
    for (const t of all) {
      const r = await refresh<ErrorReply>(t.refreshToken);
      expect(r.status).toBe(401);
      expect(r.body.error).toBe('TOKEN_REVOKED');
    }
    const rows = await tokenRowsOfUser(s.user.id);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.revokedAt).toBeInstanceOf(Date);

    const mass = await waitForEvents(s.user.id, 'mass_token_revocation');
    expect(mass).toHaveLength(1);
    expect(mass[0]?.metadata).toMatchObject({ sessions: 3 });

    // The access token that called it is refused too, so a second call is a 401.
    const again = await api<ErrorReply>('/api/auth/logout-all', { method: 'POST', token: two.accessToken });
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('TOKEN_REVOKED');
  });

  it('counts sessions, not tokens, and not sessions that had already ended', async () => {
    const s = await signUp();
    const two = await login(s.email, 'two');
    const three = await login(s.email, 'three');
    const ended = await login(s.email, 'ended');
    expect((await logout(ended.refreshToken)).status).toBe(204);
    // Session one rotates twice (three rows, one live).
    const r1 = await refresh(s.refreshToken);
    const r2 = await refresh(r1.body.refreshToken);
    expect(r2.status).toBe(200);

    const res = await logoutAll(three.accessToken);
    const revokedAt = Date.now();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ revoked: 3 });
    for (const access of [r2.body.accessToken, two.accessToken, three.accessToken])
      await expectRefusedWithinOneSecond(access, revokedAt);
    expect((await refresh<ErrorReply>(r2.body.refreshToken)).body.error).toBe('TOKEN_REVOKED');
  });

  it('requires a Bearer token and touches nobody else', async () => {
    const bystander = await signUp();
    const anon = await api<ErrorReply>('/api/auth/logout-all', { method: 'POST' });
    expect(anon.status).toBe(401);
    expect(anon.body.error).toBe('UNAUTHORIZED');

    const s = await signUp();
    expect((await logoutAll(s.accessToken)).body).toEqual({ revoked: 1 });
    await sleep(1_100);
    expect((await me(bystander.accessToken)).status).toBe(200);
    expect((await refresh(bystander.refreshToken)).status).toBe(200);
  });
});

describe('logout while Redis is unavailable', () => {
  afterEach(async () => {
    await stackControl('redis', 'start');
  });

  it('logout still ends the session: the access token is refused during the outage and after Redis is back', async () => {
    const s = await signUp();
    expect((await me(s.accessToken)).status).toBe(200);

    await stackControl('redis', 'stop');
    const out = await logout(s.refreshToken);
    const revokedAt = Date.now();
    expect(out.status).toBe(204);
    await expectRefusedWithinOneSecond(s.accessToken, revokedAt);
    expect((await refresh<ErrorReply>(s.refreshToken)).body.error).toBe('TOKEN_REVOKED');

    await stackControl('redis', 'start');
    await redisBack();
    // Redis answers again, but it never heard of this logout: the session must stay ended.
    const after = await me(s.accessToken);
    expect(after.status).toBe(401);
    expect(after.body.error).toBe('TOKEN_REVOKED');
  });

  it('logout-all still ends every session: access tokens refused during the outage and after Redis is back', async () => {
    const s = await signUp();
    const two = await login(s.email, 'two');

    await stackControl('redis', 'stop');
    const res = await logoutAll(s.accessToken);
    const revokedAt = Date.now();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ revoked: 2 });
    for (const t of [s, two]) await expectRefusedWithinOneSecond(t.accessToken, revokedAt);

    await stackControl('redis', 'start');
    await redisBack();
    for (const t of [s, two]) {
      const after = await me(t.accessToken);
      expect(after.status).toBe(401);
      expect(after.body.error).toBe('TOKEN_REVOKED');
    }
  });
});
