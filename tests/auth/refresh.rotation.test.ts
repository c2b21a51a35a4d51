// POST /api/auth/refresh: rotation of a refresh token into a new pair in the same session, what the
// database keeps (hashes only, a parent chain, sliding expiry capped by the session's absolute limit),
// and the 401 codes for expired, unknown, malformed and logged-out tokens.
import { env } from 'cloudflare:workers';
import { eq, sql } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { refreshTokens } from '../../src/lib/storage/schema';
import { hashRefreshToken, newRefreshToken } from '../../src/lib/tokens/refresh-token';
import { db, mustTokenRow, refresh, waitForEvents, type ErrorReply, mustSessionRow, tokenRowsOfUser } from '../support';
import { api, randomIp, signUp } from './api';

const ACCESS_TTL_SECONDS = Number(env.ACCESS_TOKEN_TTL_SECONDS); // 900 by default
const REFRESH_TTL_MS = Number(env.REFRESH_TOKEN_TTL_SECONDS) * 1000; // 7 days by default

describe('POST /api/auth/refresh: rotation', () => {
  it('returns 200 with a new token pair for the same user and the same session', async () => {
    const s = await signUp();
    const r = await refresh(s.refreshToken);
    expect(r.status).toBe(200);
    expect(r.body.refreshToken).toEqual(expect.any(String));
    expect(r.body.refreshToken).not.toBe(s.refreshToken);
    expect(r.body.accessToken).toEqual(expect.any(String));
    expect(r.body.accessToken).not.toBe(s.accessToken);
    expect(r.body.token).toBe(r.body.accessToken);
    expect(r.body).toMatchObject({ tokenType: 'Bearer', expiresIn: ACCESS_TTL_SECONDS });
    expect(r.body.user).toEqual({ id: s.user.id, email: s.user.email, name: s.user.name, role: 'user' });

    const before = decodeJwt(s.accessToken);
    const after = decodeJwt(r.body.accessToken);
    expect(after.sub).toBe(s.user.id);
    expect(typeof after.sid).toBe('string');
    expect(after.sid).toBe(before.sid);
    expect(after.jti).not.toBe(before.jti);

    // The new pair is usable.
    const me = await api<{ user: { id: string } }>('/api/auth/me', { token: r.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(s.user.id);
    const again = await refresh(r.body.refreshToken);
    expect(again.status).toBe(200);
  });

  it('retires the old row and chains the new one to it in the same session', async () => {
    const s = await signUp();
    const old = await mustTokenRow(s.refreshToken);
    expect(old.rotatedAt).toBeNull();
    expect(old.parentId).toBeNull();

    const r = await refresh(s.refreshToken);
    expect(r.status).toBe(200);

    const retired = await mustTokenRow(s.refreshToken);
    const next = await mustTokenRow(r.body.refreshToken);
    expect(retired.rotatedAt).toBeInstanceOf(Date);
    expect(retired.revokedAt).toBeNull();
    expect(next.id).not.toBe(old.id);
    expect(next.parentId).toBe(old.id);
    expect(next.sessionId).toBe(old.sessionId);
    expect((await mustSessionRow(next.sessionId)).userId).toBe(s.user.id);
    expect(next.rotatedAt).toBeNull();
    expect(next.revokedAt).toBeNull();
    expect(decodeJwt(r.body.accessToken).sid).toBe(old.sessionId);
  });

  it('stores only the SHA-256 of a refresh token, never the token itself', async () => {
    const s = await signUp();
    const r = await refresh(s.refreshToken);
    expect(r.status).toBe(200);
    for (const token of [s.refreshToken, r.body.refreshToken]) {
      const row = await mustTokenRow(token);
      expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.tokenHash).not.toBe(token);
      const raw = await db
        .select({ id: refreshTokens.id })
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, token));
      expect(raw).toHaveLength(0);
    }
    const rows = await tokenRowsOfUser(s.user.id);
    expect(rows).toHaveLength(2);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(s.refreshToken);
    expect(dump).not.toContain(r.body.refreshToken);
  });

  it('slides the expiry forward on each rotation', async () => {
    const s = await signUp();
    // An older token: issued a day ago as far as its expiry is concerned.
    await db.execute(
      sql`update refresh_tokens set expires_at = expires_at - interval '1 day' where token_hash = ${await hashRefreshToken(s.refreshToken)}`,
    );
    const old = await mustTokenRow(s.refreshToken);

    const r = await refresh(s.refreshToken);
    expect(r.status).toBe(200);
    const next = await mustTokenRow(r.body.refreshToken);
    expect(next.expiresAt.getTime()).toBeGreaterThan(old.expiresAt.getTime());
    // Renewed to the full lifetime (7 days by default) from the rotation.
    expect(Math.abs(next.expiresAt.getTime() - (next.createdAt.getTime() + REFRESH_TTL_MS))).toBeLessThan(5_000);
    expect(next.expiresAt.getTime()).toBeLessThanOrEqual((await mustSessionRow(next.sessionId)).expiresAt.getTime());
  });

  it('never extends a token past the session’s absolute limit', async () => {
    const s = await signUp();
    const old = await mustTokenRow(s.refreshToken);
    await db.execute(sql`update sessions set expires_at = now() + interval '1 hour' where id = ${old.sessionId}`);
    const limited = await mustSessionRow(old.sessionId);
    expect(limited.expiresAt.getTime()).toBeLessThan(old.expiresAt.getTime());

    const r = await refresh(s.refreshToken);
    expect(r.status).toBe(200);
    const next = await mustTokenRow(r.body.refreshToken);
    expect((await mustSessionRow(next.sessionId)).expiresAt.getTime()).toBe(limited.expiresAt.getTime());
    expect(next.expiresAt.getTime()).toBeLessThanOrEqual(limited.expiresAt.getTime());

    // And the next rotation is capped the same way.
    const r2 = await refresh(r.body.refreshToken);
    expect(r2.status).toBe(200);
    const third = await mustTokenRow(r2.body.refreshToken);
    expect(third.expiresAt.getTime()).toBeLessThanOrEqual(limited.expiresAt.getTime());
  });

  it('answers 401 TOKEN_EXPIRED for an expired token and issues nothing', async () => {
    const s = await signUp();
    await db.execute(
      sql`update refresh_tokens set expires_at = now() - interval '1 minute' where token_hash = ${await hashRefreshToken(s.refreshToken)}`,
    );
    const r = await refresh<ErrorReply>(s.refreshToken);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: 'TOKEN_EXPIRED', message: expect.any(String) });
    const rows = await tokenRowsOfUser(s.user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.rotatedAt).toBeNull();
  });

  it('answers 401 TOKEN_INVALID for an unknown, well-formed token', async () => {
    const r = await refresh<ErrorReply>(newRefreshToken());
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: 'TOKEN_INVALID', message: expect.any(String) });
  });

  it('answers 401 TOKEN_INVALID for a malformed token', async () => {
    for (const token of ['abc', `${newRefreshToken()}x`, 'not a token at all, with spaces and punctuation!']) {
      const r = await refresh<ErrorReply>(token);
      expect(r.status, token).toBe(401);
      expect(r.body).toEqual({ error: 'TOKEN_INVALID', message: expect.any(String) });
    }
  });

  it('answers 401 TOKEN_REVOKED for a token whose session was logged out', async () => {
    const s = await signUp();
    const out = await api('/api/auth/logout', { body: { refreshToken: s.refreshToken }, ip: randomIp() });
    expect(out.status).toBe(204);
    const r = await refresh<ErrorReply>(s.refreshToken);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: 'TOKEN_REVOKED', message: expect.any(String) });
    const rows = await tokenRowsOfUser(s.user.id);
    expect(rows).toHaveLength(1);
  });

  it('records a token_refreshed event naming the session and both tokens, without the token itself', async () => {
    const s = await signUp();
    const old = await mustTokenRow(s.refreshToken);
    const r = await refresh(s.refreshToken);
    expect(r.status).toBe(200);
    const next = await mustTokenRow(r.body.refreshToken);

    const events = await waitForEvents(s.user.id, 'token_refreshed');
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({ severity: 'info', userId: s.user.id, tokenId: old.id });
    expect(event?.metadata).toMatchObject({ sessionId: old.sessionId, newTokenId: next.id });
    const dump = JSON.stringify(event);
    expect(dump).not.toContain(s.refreshToken);
    expect(dump).not.toContain(r.body.refreshToken);
    expect(dump).not.toContain(r.body.accessToken);
  });
});
