/**
 * A rotation that commits while a logout runs inserts a token the logout's UPDATE never saw. The
 * session must still be over, this late token included, and stay over whatever token rows are
 * deleted later (when "any revoked token ends the session" was the rule, deleting the revoked rows
 * brought the session back to life). The race is reproduced by inserting the late token after the logout.
 */
import { describe, expect, it } from 'vitest';
import { and, eq, isNotNull } from 'drizzle-orm';
import { refreshTokens } from '../../src/lib/storage/schema';
import { hashRefreshToken, newRefreshToken } from '../../src/lib/tokens/refresh-token';
import { db, mustTokenRow } from '../support';
import { api, signUp } from './api';

describe('revocation against a concurrent rotation', () => {
  async function logoutThenLateToken() {
    const user = await signUp();
    const row = await mustTokenRow(user.refreshToken);
    expect((await api('/api/auth/logout', { body: { refreshToken: user.refreshToken } })).status).toBe(204);

    const late = newRefreshToken();
    const now = new Date();
    await db.insert(refreshTokens).values({
      ...row,
      id: crypto.randomUUID(),
      tokenHash: await hashRefreshToken(late),
      parentId: row.id,
      createdAt: now,
      rotatedAt: null,
      revokedAt: null,
    });
    return { user, late, sessionId: row.sessionId };
  }

  async function expectSessionOver(user: { accessToken: string }, late: string) {
    const refresh = await api('/api/auth/refresh', { body: { refreshToken: late } });
    expect(refresh).toMatchObject({ status: 401, body: { error: 'TOKEN_REVOKED' } });
    const me = await api('/api/auth/me', { token: user.accessToken });
    expect(me).toMatchObject({ status: 401, body: { error: 'TOKEN_REVOKED' } });
    const sessions = await api<{ sessions: unknown[] }>('/api/auth/sessions', { token: user.accessToken });
    expect(sessions.status).toBe(401);
  }

  it('refuses a token of the session committed after the logout, and the session’s access token', async () => {
    const { user, late } = await logoutThenLateToken();
    await expectSessionOver(user, late);
  });

  it('stays over when the revoked token rows are deleted and only the late live token is left', async () => {
    const { user, late, sessionId } = await logoutThenLateToken();
    const deleted = await db
      .delete(refreshTokens)
      .where(and(eq(refreshTokens.sessionId, sessionId), isNotNull(refreshTokens.revokedAt)))
      .returning({ id: refreshTokens.id });
    expect(deleted.length).toBeGreaterThan(0);
    const left = await db.select().from(refreshTokens).where(eq(refreshTokens.sessionId, sessionId));
    expect(left.map((t) => t.revokedAt)).toEqual([null]);
    await expectSessionOver(user, late);
  });
});
