// Concurrent refreshes of one token inside the reuse interval (a client that retries or races itself)
// all succeed, each with a token of its own in the same session, and revoke nothing. Each request
// comes from its own address so per-IP rate limits never interfere.
import { and, eq } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { refreshTokens, securityEvents } from '../../src/lib/storage/schema';
import { hashRefreshToken } from '../../src/lib/tokens/refresh-token';
import { db, mustTokenRow, refresh, sleep } from '../support';
import { api, signUp } from './api';

const CONCURRENCY = 20;

describe('POST /api/auth/refresh: concurrent refreshes of one token', () => {
  it(`${CONCURRENCY} at once all succeed with distinct tokens, revoke nothing, and every new token works`, async () => {
    const s = await signUp();
    const original = await mustTokenRow(s.refreshToken);
    const sessionId = original.sessionId;

    const replies = await Promise.all(Array.from({ length: CONCURRENCY }, () => refresh(s.refreshToken)));
    expect(replies.map((r) => r.status)).toEqual(Array(CONCURRENCY).fill(200));

    const newTokens = replies.map((r) => r.body.refreshToken);
    expect(new Set(newTokens).size).toBe(CONCURRENCY);
    expect(newTokens).not.toContain(s.refreshToken);
    expect(new Set(replies.map((r) => r.body.accessToken)).size).toBe(CONCURRENCY);
    for (const r of replies) {
      expect(r.body.user.id).toBe(s.user.id);
      expect(decodeJwt(r.body.accessToken).sid).toBe(sessionId);
    }

    // The database: the original retired once, twenty children of it, nothing revoked.
    const rows = await db.select().from(refreshTokens).where(eq(refreshTokens.sessionId, sessionId));
    expect(rows).toHaveLength(CONCURRENCY + 1);
    for (const row of rows) expect(row.revokedAt, row.id).toBeNull();
    const retired = rows.find((row) => row.id === original.id);
    expect(retired?.rotatedAt).toBeInstanceOf(Date);
    const children = rows.filter((row) => row.id !== original.id);
    for (const child of children) {
      expect(child.parentId).toBe(original.id);
      expect(child.rotatedAt).toBeNull();
    }
    const childHashes = new Set(children.map((c) => c.tokenHash));
    for (const token of newTokens) expect(childHashes.has(await hashRefreshToken(token))).toBe(true);

    // The session's access tokens are all still accepted.
    expect((await api('/api/auth/me', { token: s.accessToken })).status).toBe(200);
    expect((await api('/api/auth/me', { token: replies[CONCURRENCY - 1]?.body.accessToken })).status).toBe(200);

    // Every one of the twenty works once more.
    const next = await Promise.all(newTokens.map((token) => refresh(token)));
    expect(next.map((r) => r.status)).toEqual(Array(CONCURRENCY).fill(200));
    for (const r of next) expect(decodeJwt(r.body.accessToken).sid).toBe(sessionId);
    const after = await db.select().from(refreshTokens).where(eq(refreshTokens.sessionId, sessionId));
    expect(after).toHaveLength(2 * CONCURRENCY + 1);
    for (const row of after) expect(row.revokedAt).toBeNull();

    // No reuse alarm was raised for any of this (events are written after the response).
    await sleep(1_000);
    const hijacks = await db
      .select()
      .from(securityEvents)
      .where(and(eq(securityEvents.userId, s.user.id), eq(securityEvents.eventType, 'session_hijack_attempt')));
    expect(hijacks).toHaveLength(0);
  });
});
