import { describe, expect, it } from 'vitest';
import { api, signUp } from './api';

describe('smoke', () => {
  it('signs up, refreshes, reads me', async () => {
    const s = await signUp();
    const me = await api('/api/auth/me', { token: s.accessToken });
    expect(me.status).toBe(200);
    const r = await api('/api/auth/refresh', { body: { refreshToken: s.refreshToken } });
    expect(r.status).toBe(200);
  });
});
