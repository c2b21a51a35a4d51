/**
 * What a Google identity may open: the pre-account-takeover defence (a password set on an address
 * nobody proved stops working, and its sessions end, when Google proves the address), one Google
 * subject per account, the nonce, and which locks stop a Google sign-in.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { db, eventsWhere, login, refresh, waitForEvents, type ErrorReply, type TokenBody } from '../support';
import { api, PASSWORD, randomIp, signUp, uniqueEmail } from './api';
import { publishGoogleIssuer, type GoogleIssuer } from './google-issuer';

let issuer: GoogleIssuer;
beforeAll(async () => {
  issuer = await publishGoogleIssuer('google-linking');
});

const google = (body: Record<string, unknown>) =>
  api<TokenBody & ErrorReply>('/api/auth/google', { body, ip: randomIp() });
const passwordLogin = (email: string) =>
  api<ErrorReply>('/api/auth/login', { body: { email, password: PASSWORD }, ip: randomIp() });
const userRow = async (id: string) =>
  (await db.execute(sql`select password_hash, google_subject, email_verified_at from users where id = ${id}`))
    .rows[0] as { password_hash: string | null; google_subject: string | null; email_verified_at: string | null };

describe('Google proving an address that a password account never proved', () => {
  it('ends the password and every session of that account before linking, and says so in events', async () => {
    // The attacker signs up with the victim's address first and keeps a session open.
    const attacker = await signUp();
    const attackerAgain = await login(attacker.email, 'attacker laptop');
    expect((await api('/api/auth/me', { token: attacker.accessToken })).status).toBe(200);

    const res = await google({
      idToken: await issuer.idToken({ email: attacker.email, sub: `victim-${crypto.randomUUID()}` }),
    });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(attacker.user.id);
    expect((await api('/api/auth/me', { token: res.body.accessToken })).status).toBe(200);

    // The password set by whoever signed up no longer opens the account, and no old session survives.
    const byPassword = await passwordLogin(attacker.email);
    expect(byPassword.status).toBe(401);
    expect(byPassword.body.error).toBe('INVALID_CREDENTIALS');
    for (const old of [attacker, attackerAgain]) {
      expect((await api('/api/auth/me', { token: old.accessToken })).status).toBe(401);
      expect((await refresh(old.refreshToken)).status).toBe(401);
    }
    const row = await userRow(attacker.user.id);
    expect(row.password_hash).toBeNull();
    expect(row.google_subject).toMatch(/^victim-/);
    expect(row.email_verified_at).not.toBeNull();

    const [ended] = await waitForEvents(attacker.user.id, 'mass_token_revocation');
    expect(ended?.metadata).toEqual({ reason: 'email_proven_by_google', sessions: 2, passwordCleared: true });
    const [success] = await waitForEvents(attacker.user.id, 'oauth_success');
    expect(success?.metadata).toMatchObject({
      provider: 'google',
      linked: true,
      passwordCleared: true,
      created: false,
    });
  });

  it('keeps the password of an account whose address was already proven, and its sessions', async () => {
    const owner = await signUp();
    await db.execute(sql`update users set email_verified_at = now() where id = ${owner.user.id}`);
    const res = await google({ idToken: await issuer.idToken({ email: owner.email }) });
    expect(res.status).toBe(200);
    expect((await passwordLogin(owner.email)).status).toBe(200);
    expect((await api('/api/auth/me', { token: owner.accessToken })).status).toBe(200);
    const [success] = await waitForEvents(owner.user.id, 'oauth_success');
    expect(success?.metadata).toMatchObject({ linked: true, passwordCleared: false });
    expect(await eventsWhere({ userId: owner.user.id, type: 'mass_token_revocation' })).toHaveLength(0);
  });

  it('marks the address of an account created by Google as proven', async () => {
    const res = await google({ idToken: await issuer.idToken({ email: uniqueEmail('created') }) });
    expect(res.status).toBe(200);
    expect((await userRow(res.body.user.id)).email_verified_at).not.toBeNull();
  });
});

describe('one Google subject per account', () => {
  it('refuses another subject with the same email (a recycled address) with 409, leaving the account as it was', async () => {
    const email = uniqueEmail('recycled');
    const firstSub = `first-${crypto.randomUUID()}`;
    const first = await google({ idToken: await issuer.idToken({ email, sub: firstSub }) });
    expect(first.status).toBe(200);

    const second = await google({ idToken: await issuer.idToken({ email, sub: `second-${crypto.randomUUID()}` }) });
    expect(second.status).toBe(409);
    expect(second.body).toEqual({
      error: 'EMAIL_TAKEN',
      message: 'this email belongs to an account linked to another Google account',
    });
    expect((await userRow(first.body.user.id)).google_subject).toBe(firstSub);
    expect((await api('/api/auth/me', { token: first.body.accessToken })).status).toBe(200);
    const refused = await waitForEvents(first.body.user.id, 'oauth_failed');
    expect(refused.map((e) => e.metadata)).toContainEqual({
      provider: 'google',
      reason: 'linked_to_other_google_account',
    });
  });
});

describe('the nonce', () => {
  it('must match when the client sends one', async () => {
    const nonce = `n-${crypto.randomUUID()}`;
    const email = uniqueEmail('nonce');
    expect((await google({ idToken: await issuer.idToken({ email, nonce }), nonce })).status).toBe(200);
    const wrong = await google({ idToken: await issuer.idToken({ email, nonce }), nonce: `${nonce}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'INVALID_CREDENTIALS', message: 'Google ID token is not valid' });
    // A token minted without a nonce cannot answer a sign-in that asked for one.
    expect((await google({ idToken: await issuer.idToken({ email }), nonce })).status).toBe(401);
  });

  it('is not required when the client sends none', async () => {
    expect((await google({ idToken: await issuer.idToken({ nonce: 'minted-with-one' }) })).status).toBe(200);
  });

  it('is refused with 400 when it holds control characters', async () => {
    const res = await google({ idToken: await issuer.idToken(), nonce: 'a\u0000b' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'VALIDATION_ERROR', details: [{ field: 'nonce' }] });
  });
});

describe('locks and Google sign-in', () => {
  async function lockedGoogleUser(reason: string) {
    const sub = `locked-${crypto.randomUUID()}`;
    const email = uniqueEmail('locked-google');
    const first = await google({ idToken: await issuer.idToken({ email, sub }) });
    expect(first.status).toBe(200);
    await db.execute(
      sql`update users set locked_until = now() + interval '30 minutes', lock_reason = ${reason} where id = ${first.body.user.id}`,
    );
    return { email, sub };
  }

  it('the automatic brute-force lock does not stop Google sign-in (it refuses passwords only)', async () => {
    const { email, sub } = await lockedGoogleUser('repeated_brute_force');
    expect((await google({ idToken: await issuer.idToken({ email, sub }) })).status).toBe(200);
  });

  it('an operator’s lock does: 423 ACCOUNT_LOCKED', async () => {
    const { email, sub } = await lockedGoogleUser('admin_lock');
    const res = await google({ idToken: await issuer.idToken({ email, sub }) });
    expect(res.status).toBe(423);
    expect(res.body.error).toBe('ACCOUNT_LOCKED');
  });
});
