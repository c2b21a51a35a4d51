/**
 * POST /api/auth/login against the contract: the token pair, one indistinguishable 401 for an unknown
 * email and a wrong password (same bytes, same work), case-insensitive email, the security events,
 * locked accounts, and the upgrade of an old password hash on a successful login.
 */
import { exports } from 'cloudflare:workers';
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { db, eventsFromIp, eventually, uniquePassword, type TokenBody, tokenRowsOfUser } from '../support';
import { api, randomIp, signUp, uniqueEmail, type Reply } from './api';
import { securityEvents, users } from '../../src/lib/storage/schema';
import { hashPassword as hashScrypt } from '../../src/lib/passwords/scrypt-hasher';
import { hashPassword as hashArgon2id } from '../../src/lib/passwords/argon2id-hasher';

function login(body: unknown, ip = randomIp()): Promise<Reply> {
  return api('/api/auth/login', { body, ip });
}

/** The raw reply, byte for byte, so two answers can be compared exactly. */
async function rawLogin(body: unknown, ip = randomIp()): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await exports.default.fetch(
    new Request('http://auth.test/api/auth/login', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'cf-connecting-ip': ip,
        'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36',
      },
      body: JSON.stringify(body),
    }),
  );
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

describe('POST /api/auth/login: success', () => {
  it('answers 200 with a token pair for the right password', async () => {
    const password = uniquePassword();
    const account = await signUp({ password, name: 'Grace Hopper' });
    const res = await login({ email: account.email, password, deviceName: 'Work laptop' });
    expect(res.status).toBe(200);
    const body = res.body as unknown as TokenBody;
    expect(Object.keys(body).sort()).toEqual([
      'accessToken',
      'expiresIn',
      'refreshToken',
      'token',
      'tokenType',
      'user',
    ]);
    expect(body.token).toBe(body.accessToken);
    expect(body.accessToken.split('.')).toHaveLength(3);
    expect(body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(body.expiresIn).toBe(900);
    expect(body.tokenType).toBe('Bearer');
    expect(body.user).toEqual({ id: account.user.id, email: account.email, name: 'Grace Hopper', role: 'user' });
    // A new session: a token pair distinct from the signup's, and it works.
    expect(body.refreshToken).not.toBe(account.refreshToken);
    const me = await api('/api/auth/me', { token: body.accessToken });
    expect(me.status).toBe(200);
    const sessions = await tokenRowsOfUser(account.user.id);
    expect(new Set(sessions.map((s) => s.sessionId)).size).toBe(2);
  });

  it('compares the email case-insensitively', async () => {
    const password = uniquePassword();
    const account = await signUp({ password });
    const res = await login({ email: account.email.toUpperCase(), password });
    expect(res.status).toBe(200);
    expect((res.body as unknown as TokenBody).user.id).toBe(account.user.id);
    expect((res.body as unknown as TokenBody).user.email).toBe(account.email);
  });
});

describe('POST /api/auth/login: failures look alike', () => {
  it('answers 401 INVALID_CREDENTIALS for a wrong password', async () => {
    const account = await signUp({ password: uniquePassword() });
    const res = await login({ email: account.email, password: uniquePassword() });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'INVALID_CREDENTIALS', message: expect.any(String) });
  });

  it('answers an unknown email with a body byte-identical to the wrong-password one', async () => {
    const account = await signUp({ password: uniquePassword() });
    const wrong = await rawLogin({ email: account.email, password: uniquePassword() });
    const unknown = await rawLogin({ email: uniqueEmail('nobody'), password: uniquePassword() });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.text).toBe(wrong.text);
    expect(JSON.parse(unknown.text)).toMatchObject({ error: 'INVALID_CREDENTIALS' });
    expect(unknown.headers.get('content-type')).toBe(wrong.headers.get('content-type'));
    expect(unknown.headers.get('www-authenticate')).toBe(wrong.headers.get('www-authenticate'));
  });

  it('records failed_login_attempt (with the user id) for a wrong password', async () => {
    const account = await signUp({ password: uniquePassword() });
    const ip = randomIp();
    const badPassword = uniquePassword();
    expect((await login({ email: account.email, password: badPassword }, ip)).status).toBe(401);
    const rows = await eventually(
      () => eventsFromIp(ip),
      (found) => found.length > 0,
    );
    expect(rows.map((r) => r.eventType)).toEqual(['failed_login_attempt']);
    expect(rows[0]?.userId).toBe(account.user.id);
    expect(JSON.stringify(rows)).not.toContain(badPassword);
  });

  it('records login_failed (with no user id) for an unknown email', async () => {
    const ip = randomIp();
    const password = uniquePassword();
    expect((await login({ email: uniqueEmail('ghost'), password }, ip)).status).toBe(401);
    const rows = await eventually(
      () => eventsFromIp(ip),
      (found) => found.length > 0,
    );
    expect(rows.map((r) => r.eventType)).toEqual(['login_failed']);
    expect(rows[0]?.userId).toBeNull();
    expect(JSON.stringify(rows)).not.toContain(password);
  });

  it('records login_success and token_generated for a good login', async () => {
    const password = uniquePassword();
    const account = await signUp({ password });
    const ip = randomIp();
    expect((await login({ email: account.email, password }, ip)).status).toBe(200);
    const rows = await eventually(
      () => eventsFromIp(ip),
      (found) => found.length >= 2,
    );
    expect(rows.map((r) => r.eventType).sort()).toEqual(['login_success', 'token_generated']);
    for (const row of rows) expect(row.userId).toBe(account.user.id);
    expect(JSON.stringify(rows)).not.toContain(password);
  });

  it('spends the same work on an unknown email as on a wrong password (timing)', async () => {
    const account = await signUp({ password: uniquePassword() });
    const timed = async (email: string) => {
      const started = performance.now();
      const res = await rawLogin({ email, password: uniquePassword() });
      const elapsed = performance.now() - started;
      expect(res.status).toBe(401);
      return elapsed;
    };
    // Warm up both paths (first use prepares the dummy hash and the connections).
    await timed(uniqueEmail('warm'));
    await timed(account.email);
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 5; i++) {
      unknown.push(await timed(uniqueEmail('timing')));
      wrong.push(await timed(account.email));
    }
    const ratio = median(unknown) / median(wrong);
    expect(
      ratio,
      `unknown ${unknown.map(Math.round).join(',')} ms vs wrong ${wrong.map(Math.round).join(',')} ms`,
    ).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  }, 60_000);
});

describe('POST /api/auth/login: locked accounts', () => {
  it('answers 423 ACCOUNT_LOCKED whatever the password, so the lock tells a guesser nothing', async () => {
    const password = uniquePassword();
    const account = await signUp({ password });
    await db
      .update(users)
      .set({ lockedUntil: new Date(Date.now() + 60 * 60 * 1000) })
      .where(eq(users.id, account.user.id));

    const locked = await login({ email: account.email, password });
    expect(locked.status).toBe(423);
    expect(locked.body).toMatchObject({ error: 'ACCOUNT_LOCKED', message: expect.any(String) });
    expect(locked.body).not.toHaveProperty('accessToken');
    expect(locked.body).not.toHaveProperty('refreshToken');

    const wrong = await rawLogin({ email: account.email, password: uniquePassword() });
    expect(wrong.status).toBe(423);
    expect(wrong.text).toBe(JSON.stringify(locked.body));

    // No session was started for the locked account (only the signup's).
    const sessions = await tokenRowsOfUser(account.user.id);
    expect(new Set(sessions.map((s) => s.sessionId)).size).toBe(1);
  });

  it('lets the user in again once locked_until has passed', async () => {
    const password = uniquePassword();
    const account = await signUp({ password });
    await db
      .update(users)
      .set({ lockedUntil: new Date(Date.now() - 60 * 1000) })
      .where(eq(users.id, account.user.id));
    expect((await login({ email: account.email, password })).status).toBe(200);
  });
});

describe('POST /api/auth/login: password hash upgrade', () => {
  const ARGON2ID_NOW = '$argon2id$v=19$m=19456,t=2,p=1$';
  const readHash = async (userId: string) =>
    (await db.select({ h: users.passwordHash }).from(users).where(eq(users.id, userId)))[0]?.h;

  /** Stores `old` as the user's hash, logs in, and expects it replaced by an Argon2id hash that still works. */
  async function expectUpgrade(old: (password: string) => Promise<string>) {
    const password = uniquePassword();
    const account = await signUp({ password });
    const stored = await old(password);
    await db.update(users).set({ passwordHash: stored }).where(eq(users.id, account.user.id));

    expect((await login({ email: account.email, password })).status).toBe(200);
    const upgraded = await eventually(
      () => readHash(account.user.id),
      (h) => h?.startsWith(ARGON2ID_NOW) === true,
    );
    expect(upgraded?.startsWith(ARGON2ID_NOW)).toBe(true);
    expect(upgraded).not.toContain(password);

    // The upgraded hash still checks the same password, and only it; it is not rehashed again.
    expect((await login({ email: account.email, password })).status).toBe(200);
    expect((await login({ email: account.email, password: uniquePassword() })).status).toBe(401);
    expect(await readHash(account.user.id)).toBe(upgraded);
  }

  it('moves a user whose hash is scrypt at today’s parameters to Argon2id on a successful login', async () => {
    await expectUpgrade(async (password) => {
      const scrypt = await hashScrypt(password);
      expect(scrypt.startsWith('scrypt$16384$8$5$')).toBe(true);
      return scrypt;
    });
  });

  it('rehashes a password stored with weaker scrypt parameters', async () => {
    await expectUpgrade(async (password) => {
      const weak = await hashScrypt(password, { N: 1024, r: 8, p: 1 });
      expect(weak.startsWith('scrypt$1024$8$1$')).toBe(true);
      return weak;
    });
  });

  it('rehashes a password stored with other Argon2id parameters', async () => {
    await expectUpgrade((password) => hashArgon2id(password, { m: 256, t: 2, p: 1 }));
  });

  it('does not rehash on a wrong password', async () => {
    const password = uniquePassword();
    const account = await signUp({ password });
    const weak = await hashScrypt(password, { N: 1024, r: 8, p: 1 });
    await db.update(users).set({ passwordHash: weak }).where(eq(users.id, account.user.id));
    const ip = randomIp();
    expect((await login({ email: account.email, password: uniquePassword() }, ip)).status).toBe(401);
    await eventually(
      () =>
        db
          .select()
          .from(securityEvents)
          .where(and(eq(securityEvents.ipAddress, ip))),
      (rows) => rows.length > 0,
    );
    const [row] = await db.select({ h: users.passwordHash }).from(users).where(eq(users.id, account.user.id));
    expect(row?.h).toBe(weak);
  });

  it('never stores the password in a security event of a login', async () => {
    const password = uniquePassword();
    const account = await signUp({ password });
    const ip = randomIp();
    expect((await login({ email: account.email, password }, ip)).status).toBe(200);
    await eventually(
      () => eventsFromIp(ip),
      (rows) => rows.length >= 2,
    );
    const result = await db.execute<{ n: number }>(sql`
      select count(*)::int as n from security_events
      where (metadata::text || coalesce(user_agent, '') || coalesce(ip_address, '') || coalesce(country, '')) like '%' || ${password} || '%'`);
    expect(Number(result.rows[0]?.n)).toBe(0);
  });
});
