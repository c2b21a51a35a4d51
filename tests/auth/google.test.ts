/**
 * Google sign-in against a stand-in for Google's JWKS (served by the test stack): the Worker fetches
 * the keys over HTTP and verifies ID tokens exactly as it would Google's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type CryptoKey } from 'jose';
import { sql } from 'drizzle-orm';
import { db } from '../support';
import { api, signUp, uniqueEmail, randomIp } from './api';
import { publishGoogleIssuer, type GoogleIssuer, type IdTokenOptions } from './google-issuer';

let issuer: GoogleIssuer;
let strangerKey: CryptoKey;

beforeAll(async () => {
  issuer = await publishGoogleIssuer('google-test');
  strangerKey = (await generateKeyPair('RS256')).privateKey;
});

const idToken = (o: IdTokenOptions = {}) => issuer.idToken(o);

const google = (token: string) => api('/api/auth/google', { body: { idToken: token }, ip: randomIp() });

describe('POST /api/auth/google', () => {
  it('creates a user for a new verified Google identity and answers a token response', async () => {
    const email = uniqueEmail('new-google');
    const res = await google(await idToken({ email }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      user: { email, name: 'Grace Hopper', role: 'user' },
    });
    const rows = await db.execute(sql`select password_hash, google_subject from users where email = ${email}`);
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({ password_hash: null });
  });

  it('signs the same Google subject into the same user every time', async () => {
    const sub = `google-${crypto.randomUUID()}`;
    const email = uniqueEmail('repeat');
    const first = await google(await idToken({ sub, email }));
    const second = await google(await idToken({ sub, email }));
    expect(second.status).toBe(200);
    expect((second.body.user as { id: string }).id).toBe((first.body.user as { id: string }).id);
  });

  it('links to an existing password account with the same verified email (case-insensitive)', async () => {
    const existing = await signUp();
    const res = await google(await idToken({ email: existing.email.toUpperCase() }));
    expect(res.status).toBe(200);
    expect((res.body.user as { id: string }).id).toBe(existing.user.id);
    const rows = await db.execute(sql`select google_subject from users where id = ${existing.user.id}`);
    expect(rows.rows[0]?.google_subject).toMatch(/^google-/);
  });

  it.each([
    ['a wrong audience', { aud: 'someone-else.apps.googleusercontent.com' }],
    ['a wrong issuer', { iss: 'https://evil.example.com' }],
    ['an expired token', { expiresIn: -3600 }],
    ['an unverified email', { emailVerified: false }],
    ['a key Google never published', { key: undefined as unknown as CryptoKey }],
  ])('refuses %s with 401 INVALID_CREDENTIALS and stores no user', async (_label, options) => {
    const email = uniqueEmail('refused');
    const opts: IdTokenOptions = { ...options, email };
    if ('key' in options) opts.key = strangerKey;
    const res = await google(await idToken(opts));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'INVALID_CREDENTIALS', message: 'Google ID token is not valid' });
    const rows = await db.execute(sql`select id from users where email = ${email}`);
    expect(rows.rows).toHaveLength(0);
  });

  it('does not let an unverified Google email take over an existing account', async () => {
    const existing = await signUp();
    const res = await google(await idToken({ email: existing.email, emailVerified: false }));
    expect(res.status).toBe(401);
    const rows = await db.execute(sql`select google_subject from users where id = ${existing.user.id}`);
    expect(rows.rows[0]?.google_subject).toBeNull();
  });

  it('answers 400 for a missing idToken', async () => {
    const res = await api('/api/auth/google', { body: {} });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'VALIDATION_ERROR', details: [{ field: 'idToken' }] });
  });
});
