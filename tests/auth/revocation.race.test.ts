/**
 * A rotation that commits while a logout runs inserts a token the logout's UPDATE never saw. The
 * session must still be over: any revoked token ends the whole session, this late one included.
 * The race is reproduced deterministically by inserting the late token after the logout.
 */
import { describe, expect, it } from 'vitest';
import { refreshTokens } from '../../src/lib/db/schema';
import { hashRefreshToken, newRefreshToken } from '../../src/lib/tokens/refresh-token';
import { db, mustTokenRow } from '../support';
import { api, signUp } from './api';

describe('revocation against a concurrent rotation', () => {
  it('refuses a token of the session committed after the logout, and the session’s access token', async () => {
    const user = await signUp();
    const row = await mustTokenRow(user.refreshToken);
    expect((await api('/api/auth/logout', { body: { refreshToken: user.refreshToken } })).status).toBe(204);

    const late = newRefreshToken();
    const now = new Date();
    await db.insert(refreshTokens).values({
      ...row, id: crypto.randomUUID(), tokenHash: await hashRefreshToken(late), parentId: row.id,
      createdAt: now, lastUsedAt: now, rotatedAt: null, revokedAt: null, revokedReason: null,
    });

    const refresh = await api('/api/auth/refresh', { body: { refreshToken: late } });
    expect(refresh).toMatchObject({ status: 401, body: { error: 'TOKEN_REVOKED' } });
    const me = await api('/api/auth/me', { token: user.accessToken });
    expect(me).toMatchObject({ status: 401, body: { error: 'TOKEN_REVOKED' } });
    const sessions = await api<{ sessions: unknown[] }>('/api/auth/sessions', { token: user.accessToken });
    expect(sessions.status).toBe(401);
  });
});
