/**
 * POST /api/auth/signup against the contract: the token response, how the email is stored and compared,
 * the password policy (lengths in Unicode code points), what a refused signup leaves behind (nothing),
 * how the password is stored, and the security events (present, and free of secrets).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { db, eventually, uniquePassword, type ErrorReply, type TokenBody, tokenRowsOfUser } from '../support';
import { api, randomIp, uniqueEmail, type Reply } from './api';
import { securityEvents, users } from '../../src/lib/storage/schema';

function signup(body: unknown, ip = randomIp()): Promise<Reply> {
  return api('/api/auth/signup', { body, ip });
}

/** Every user row whose email matches case-insensitively (and ignoring surrounding spaces). */
function usersWithEmail(email: string) {
  return db
    .select()
    .from(users)
    .where(sql`lower(trim(${users.email})) = ${email.trim().toLowerCase()}`);
}

function expectValidationError(res: Reply, field: string): void {
  expect(res.status).toBe(400);
  const body = res.body as unknown as ErrorReply;
  expect(Object.keys(body).sort()).toEqual(['details', 'error', 'message']);
  expect(body.error).toBe('VALIDATION_ERROR');
  expect(typeof body.message).toBe('string');
  expect(body.details?.map((d) => d.field)).toContain(field);
  for (const detail of body.details ?? []) {
    expect(typeof detail.problem).toBe('string');
    expect(detail.problem.length).toBeGreaterThan(0);
  }
}

/** Rows of security_events holding `needle` anywhere in their text columns or metadata. */
async function eventRowsContaining(needle: string): Promise<number> {
  const result = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from security_events
    where (metadata::text || coalesce(user_agent, '') || coalesce(ip_address, '') || coalesce(country, '')
           || event_type || severity || coalesce(user_id::text, '') || coalesce(token_id::text, ''))
          like '%' || ${needle} || '%'`);
  return Number(result.rows[0]?.n);
}

describe('POST /api/auth/signup: success', () => {
  it('answers 201 with exactly the contract token response', async () => {
    const email = uniqueEmail('shape');
    const res = await signup({ email, password: uniquePassword(), name: 'Ada Lovelace' });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
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
    expect(body.expiresIn).toBe(900);
    expect(body.tokenType).toBe('Bearer');
    // Opaque, at least 256 bits: 43 base64url characters or more.
    expect(body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(body.refreshToken).not.toBe(body.accessToken);
    expect(Object.keys(body.user).sort()).toEqual(['email', 'id', 'name', 'role']);
    expect(body.user).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email,
      name: 'Ada Lovelace',
      role: 'user',
    });

    const [row] = await db.select().from(users).where(eq(users.id, body.user.id));
    expect(row?.email).toBe(email);
    expect(row?.role).toBe('user');
  });

  it('stores the email lower-cased and answers with the stored form', async () => {
    const lower = uniqueEmail('mixed');
    const mixed = `MiXeD${lower.slice('mixed'.length).toUpperCase()}`;
    const res = await signup({ email: mixed, password: uniquePassword(), name: 'Mixed Case' });
    expect(res.status).toBe(201);
    const rows = await usersWithEmail(lower);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.email).toBe(lower);
    expect((res.body as unknown as TokenBody).user.email).toBe(lower);
  });

  it('never stores an email with surrounding spaces (trimmed, or refused as invalid)', async () => {
    const email = uniqueEmail('spaces');
    const res = await signup({ email: `  ${email.toUpperCase()}  `, password: uniquePassword(), name: 'Spacey' });
    const rows = await usersWithEmail(email);
    if (res.status === 201) {
      expect(rows.map((r) => r.email)).toEqual([email]);
    } else {
      expectValidationError(res, 'email');
      expect(rows).toHaveLength(0);
    }
  });

  it('keeps only the SHA-256 of the refresh token, never the token itself', async () => {
    const res = await signup({ email: uniqueEmail('rt'), password: uniquePassword(), name: 'Refresh' });
    expect(res.status).toBe(201);
    const body = res.body as unknown as TokenBody;
    const rows = await tokenRowsOfUser(body.user.id);
    expect(rows).toHaveLength(1);
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body.refreshToken));
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    expect(rows[0]?.tokenHash).toBe(hex);
    expect(JSON.stringify(rows)).not.toContain(body.refreshToken);
  });
});

describe('POST /api/auth/signup: email compared case-insensitively', () => {
  it('refuses a case variant of a taken email with 409 EMAIL_TAKEN and stores no second user', async () => {
    const id = crypto.randomUUID();
    const first = await signup({ email: `ada-${id}@x.com`, password: uniquePassword(), name: 'Ada' });
    expect(first.status).toBe(201);
    const again = await signup({ email: `Ada-${id}@X.com`, password: uniquePassword(), name: 'Ada Again' });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: 'EMAIL_TAKEN', message: expect.any(String) });
    const rows = await usersWithEmail(`ada-${id}@x.com`);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.name).toBe('Ada');
  });

  it('refuses the exact same email with 409 and leaves the first account as it was', async () => {
    const email = uniqueEmail('dup');
    const first = await signup({ email, password: uniquePassword(), name: 'First' });
    expect(first.status).toBe(201);
    const [before] = await usersWithEmail(email);
    const again = await signup({ email, password: uniquePassword(), name: 'Second' });
    expect(again.status).toBe(409);
    expect((again.body as unknown as ErrorReply).error).toBe('EMAIL_TAKEN');
    const after = await usersWithEmail(email);
    expect(after).toHaveLength(1);
    expect(after[0]?.passwordHash).toBe(before?.passwordHash);
    expect(after[0]?.name).toBe('First');
  });
});

describe('POST /api/auth/signup: password policy (lengths in code points)', () => {
  it('refuses 7 characters with 400 VALIDATION_ERROR naming password, and stores nothing', async () => {
    const email = uniqueEmail('short');
    const res = await signup({ email, password: 'abcdefg', name: 'Short' });
    expectValidationError(res, 'password');
    expect(await usersWithEmail(email)).toHaveLength(0);
  });

  it('refuses 7 emoji (14 UTF-16 units but 7 code points)', async () => {
    const email = uniqueEmail('emoji7');
    const res = await signup({ email, password: '🔐'.repeat(7), name: 'Emoji' });
    expectValidationError(res, 'password');
    expect(await usersWithEmail(email)).toHaveLength(0);
  });

  it('accepts 8 emoji (16 UTF-16 units, 8 code points)', async () => {
    const email = uniqueEmail('emoji8');
    const password = '🔐🦄🌍🎲🧪🚀🍀🎈';
    expect(password.length).toBe(16);
    expect([...password]).toHaveLength(8);
    const res = await signup({ email, password, name: 'Emoji' });
    expect(res.status).toBe(201);
    expect(await usersWithEmail(email)).toHaveLength(1);
  });

  it('accepts 128 code points and refuses 129', async () => {
    const ok = uniqueEmail('len128');
    const accepted = await signup({ email: ok, password: `${crypto.randomUUID()}${'q'.repeat(92)}`, name: 'Long' });
    expect(accepted.status).toBe(201);
    expect(await usersWithEmail(ok)).toHaveLength(1);

    const tooLong = uniqueEmail('len129');
    const refused = await signup({ email: tooLong, password: `${crypto.randomUUID()}${'q'.repeat(93)}`, name: 'Long' });
    expectValidationError(refused, 'password');
    expect(await usersWithEmail(tooLong)).toHaveLength(0);
  });

  it('counts astral characters once at the upper bound too: 128 emoji accepted, 129 refused', async () => {
    const ok = uniqueEmail('emoji128');
    const accepted = await signup({ email: ok, password: `🔑${'🦄'.repeat(127)}`, name: 'Emoji Long' });
    expect(accepted.status).toBe(201);

    const tooLong = uniqueEmail('emoji129');
    const refused = await signup({ email: tooLong, password: `🔑${'🦄'.repeat(128)}`, name: 'Emoji Long' });
    expectValidationError(refused, 'password');
    expect(await usersWithEmail(tooLong)).toHaveLength(0);
  });

  it('refuses a common password (password123, and its upper-case form) and stores nothing', async () => {
    for (const password of ['password123', 'PassWord123']) {
      const email = uniqueEmail('common');
      const res = await signup({ email, password, name: 'Common' });
      expectValidationError(res, 'password');
      expect(await usersWithEmail(email)).toHaveLength(0);
    }
  });
});

describe('POST /api/auth/signup: other invalid input stores nothing', () => {
  it('refuses a bad email with details naming email', async () => {
    for (const email of ['not-an-email', 'a@', '@example.com', '']) {
      const res = await signup({ email, password: uniquePassword(), name: 'Bad Email' });
      expectValidationError(res, 'email');
      if (email) expect(await usersWithEmail(email)).toHaveLength(0);
    }
  });

  it('refuses a missing name', async () => {
    const email = uniqueEmail('noname');
    const res = await signup({ email, password: uniquePassword() });
    expectValidationError(res, 'name');
    expect(await usersWithEmail(email)).toHaveLength(0);
  });

  it('refuses a name of the wrong JSON type (a number)', async () => {
    const email = uniqueEmail('numname');
    const res = await signup({ email, password: uniquePassword(), name: 42 });
    expectValidationError(res, 'name');
    expect(await usersWithEmail(email)).toHaveLength(0);
  });

  it('refuses a name that is only whitespace (it would be stored empty)', async () => {
    const email = uniqueEmail('blankname');
    const res = await signup({ email, password: uniquePassword(), name: '   ' });
    expectValidationError(res, 'name');
    expect(await usersWithEmail(email)).toHaveLength(0);
  });

  it('counts the name in code points: 100 emoji accepted, 101 characters refused', async () => {
    const ok = uniqueEmail('name100');
    const accepted = await signup({ email: ok, password: uniquePassword(), name: '🦄'.repeat(100) });
    expect(accepted.status).toBe(201);
    expect((accepted.body as unknown as TokenBody).user.name).toBe('🦄'.repeat(100));
    const tooLong = uniqueEmail('name101');
    expectValidationError(await signup({ email: tooLong, password: uniquePassword(), name: 'n'.repeat(101) }), 'name');
    expect(await usersWithEmail(tooLong)).toHaveLength(0);
  });

  it('refuses an email or password of the wrong JSON type', async () => {
    const email = uniqueEmail('types');
    expectValidationError(await signup({ email, password: 12345678, name: 'Types' }), 'password');
    expectValidationError(await signup({ email: [email], password: uniquePassword(), name: 'Types' }), 'email');
    expect(await usersWithEmail(email)).toHaveLength(0);
  });
});

describe('POST /api/auth/signup: how the password is kept', () => {
  it('stores an Argon2id hash with the current parameters, never the password', async () => {
    const email = uniqueEmail('hash');
    const password = uniquePassword();
    const res = await signup({ email, password, name: 'Hash' });
    expect(res.status).toBe(201);
    const [row] = await usersWithEmail(email);
    expect(row?.passwordHash?.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(row?.passwordHash).not.toBe(password);
    expect(row?.passwordHash).not.toContain(password);
    expect(JSON.stringify(row)).not.toContain(password);
  });

  it('salts: the same password gives two different hashes', async () => {
    const password = uniquePassword();
    const a = uniqueEmail('salt-a');
    const b = uniqueEmail('salt-b');
    expect((await signup({ email: a, password, name: 'Salt A' })).status).toBe(201);
    expect((await signup({ email: b, password, name: 'Salt B' })).status).toBe(201);
    const [rowA] = await usersWithEmail(a);
    const [rowB] = await usersWithEmail(b);
    expect(rowA?.passwordHash).toBeTruthy();
    expect(rowA?.passwordHash).not.toBe(rowB?.passwordHash);
  });
});

describe('POST /api/auth/signup: security events', () => {
  it('records signup_success and token_generated for the user, with no password or token in any row', async () => {
    const email = uniqueEmail('events');
    const password = uniquePassword();
    const ip = randomIp();
    const res = await signup({ email, password, name: 'Events', deviceName: 'Test laptop' }, ip);
    expect(res.status).toBe(201);
    const body = res.body as unknown as TokenBody;

    const rows = await eventually(
      () =>
        db
          .select()
          .from(securityEvents)
          .where(
            and(
              eq(securityEvents.userId, body.user.id),
              inArray(securityEvents.eventType, ['signup_success', 'token_generated']),
            ),
          ),
      (found) => new Set(found.map((r) => r.eventType)).size === 2,
    );
    expect(rows.map((r) => r.eventType).sort()).toEqual(['signup_success', 'token_generated']);
    for (const row of rows) {
      expect(row.ipAddress).toBe(ip);
      expect(row.severity).toBe('info');
    }
    const generated = rows.find((r) => r.eventType === 'token_generated');
    const [tokenRow] = await tokenRowsOfUser(body.user.id);
    expect(generated?.tokenId).toBe(tokenRow?.id);

    expect(await eventRowsContaining(password)).toBe(0);
    expect(await eventRowsContaining(body.refreshToken)).toBe(0);
    expect(await eventRowsContaining(body.accessToken)).toBe(0);
    // The access token's signature alone must not be there either.
    expect(await eventRowsContaining(body.accessToken.split('.')[2] ?? body.accessToken)).toBe(0);
  });

  it('a refused signup (409) records no password either', async () => {
    const email = uniqueEmail('events-409');
    expect((await signup({ email, password: uniquePassword(), name: 'First' })).status).toBe(201);
    const password = uniquePassword();
    const ip = randomIp();
    const again = await signup({ email, password, name: 'Second' }, ip);
    expect(again.status).toBe(409);
    const failed = await eventually(
      () =>
        db
          .select()
          .from(securityEvents)
          .where(and(eq(securityEvents.ipAddress, ip), eq(securityEvents.eventType, 'signup_failed'))),
      (found) => found.length > 0,
    );
    expect(failed).toHaveLength(1);
    expect(await eventRowsContaining(password)).toBe(0);
  });
});
