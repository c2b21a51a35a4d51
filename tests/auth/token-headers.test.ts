/**
 * Token responses are never cached (RFC 6749 5.1), a Bearer route's 401 says how to authenticate and
 * whether the token sent was refused (RFC 6750 3.1), and an access token never outlives its session.
 */
import { sql } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { api, PASSWORD, signUp } from './api';
import { db, refresh } from '../support';

describe('token responses', () => {
  it('carry Cache-Control: no-store and Pragma: no-cache on signup, login and refresh', async () => {
    const email = `headers-${crypto.randomUUID()}@example.com`;
    const signup = await api<{ refreshToken: string }>('/api/auth/signup', {
      body: { email, password: PASSWORD, name: 'Headers' },
    });
    const login = await api('/api/auth/login', { body: { email, password: PASSWORD } });
    const rotated = await refresh(signup.body.refreshToken);
    for (const res of [signup, login, rotated]) {
      expect(res.status).toBeLessThan(300);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('pragma')).toBe('no-cache');
    }
  });

  it('an error of a token route is not cached either', async () => {
    const res = await api('/api/auth/refresh', { body: { refreshToken: 'x'.repeat(43) } });
    expect(res.status).toBe(401);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('401 on Bearer routes', () => {
  it('names the Bearer scheme without a token, and invalid_token with a refused one', async () => {
    const none = await api('/api/auth/me');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    for (const path of ['/api/auth/me', '/api/auth/sessions']) {
      const bad = await api(path, { token: 'not-a-jwt' });
      expect(bad.status).toBe(401);
      expect(bad.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    }
  });
});

describe('access-token lifetime', () => {
  it('never passes the session absolute limit', async () => {
    const user = await signUp();
    const sid = decodeJwt(user.accessToken).sid as string;
    // The session has 60 s left: the next access token may live 60 s, not the 15 minutes configured.
    await db.execute(sql`update sessions set expires_at = now() + interval '60 seconds' where id = ${sid}`);
    const rotated = await refresh<{ accessToken: string; expiresIn: number }>(user.refreshToken);
    expect(rotated.status).toBe(200);
    const claims = decodeJwt(rotated.body.accessToken);
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(60);
    expect(rotated.body.expiresIn).toBeLessThanOrEqual(60);
  });
});
