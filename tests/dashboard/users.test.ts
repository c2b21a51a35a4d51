/**
 * Investigating and acting on a user from the dashboard, against the real auth Worker bound beside it
 * (AUTH): find by email, the user's view, the live-session list, and the admin actions revoke-sessions,
 * lock and unlock, each taking effect on the auth Worker within a second and leaving an admin_action
 * event naming the admin.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { users } from '../../src/lib/storage/schema';
import { PASSWORD, randomIp, uniqueEmail } from '../auth/api';
import { eventsWhere, waitForEvents } from '../support';
import { callDashboard, db, signedIn } from './admin-session';

type Body = Record<string, unknown> & { error?: string; details?: Array<{ field: string }> };

const call = callDashboard;

/** A call to the auth Worker as a client from `country` would make it. */
async function auth(path: string, init: { method?: string; body?: unknown; token?: string; country?: string } = {}) {
  const headers: Record<string, string> = {
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36',
    'cf-connecting-ip': randomIp(),
  };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const res = await env.AUTH.fetch(`https://edge-auth${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    cf: init.country ? { country: init.country } : undefined,
  } as RequestInit);
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : {}) as Body & { accessToken?: string; user?: { id: string } },
  };
}

/** A user signed up at the auth Worker, with an access token of their session. */
async function member(): Promise<{ id: string; email: string; token: string }> {
  const email = uniqueEmail('member');
  const signup = await auth('/api/auth/signup', {
    body: { email, password: PASSWORD, name: 'Member', deviceName: 'Laptop' },
  });
  expect(signup.status).toBe(201);
  return { id: signup.body.user!.id, email, token: signup.body.accessToken! };
}

/** Polls `check` every 100 ms for up to 1 s (the contract's bound); answers how long it took. */
async function withinASecond(check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > 1000) throw new Error('not in effect within 1 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - started;
}

describe('dashboard: users', () => {
  it('finds a user by email, exactly and case-insensitively', async () => {
    const admin = await signedIn('admin');
    const user = await member();
    const found = await call(
      `/api/auth/security/users?email=${encodeURIComponent(`  ${user.email.toUpperCase()} `)}`,
      admin.token,
    );
    expect(found.status).toBe(200);
    expect(found.body.users).toEqual([
      {
        id: user.id,
        email: user.email,
        name: 'Member',
        role: 'user',
        lockedUntil: null,
        lockReason: null,
        createdAt: expect.any(String),
      },
    ]);
    // Exact: a prefix is not a match.
    expect(
      (await call(`/api/auth/security/users?email=${encodeURIComponent(user.email.slice(0, -3))}`, admin.token)).body
        .users,
    ).toEqual([]);
    for (const query of [
      '',
      'email=',
      'email=a%00b%40example.com',
      'email=a%01b%40example.com',
      `email=${'a'.repeat(300)}`,
    ]) {
      const res = await call(`/api/auth/security/users?${query}`, admin.token);
      expect(res.status, query).toBe(400);
      expect(res.body.details?.[0]?.field).toBe('email');
    }
    expect((await call(`/api/auth/security/users?email=${encodeURIComponent(user.email)}`, user.token)).status).toBe(
      403,
    );
  });

  it("shows a user's lock, live sessions and last events; 404 for an unknown id, 400 for a bad one", async () => {
    const admin = await signedIn('admin');
    const user = await member();
    await waitForEvents(user.id, 'signup_success');
    const view = await call(`/api/auth/security/users/${user.id}`, admin.token);
    expect(view.status).toBe(200);
    expect(view.body.user).toMatchObject({ id: user.id, email: user.email, lockedUntil: null });
    expect(view.body.sessions).toEqual([expect.objectContaining({ userId: user.id, deviceName: 'Laptop' })]);
    expect((view.body.events as Array<{ type: string }>).map((e) => e.type)).toContain('signup_success');
    expect((await call(`/api/auth/security/users/${crypto.randomUUID()}`, admin.token)).status).toBe(404);
    expect((await call('/api/auth/security/users/not-a-uuid', admin.token)).status).toBe(400);
  });

  it('revoke-sessions ends every session: the access tokens are refused by the auth Worker within 1 s', async () => {
    const admin = await signedIn('admin');
    const user = await member();
    const other = await auth('/api/auth/login', { body: { email: user.email, password: PASSWORD } });
    expect((await auth('/api/auth/me', { token: user.token })).status).toBe(200);

    const revoked = await call(`/api/auth/security/users/${user.id}/revoke-sessions`, admin.token, 'POST');
    expect(revoked).toEqual({ status: 200, body: { revoked: 2 } });
    await withinASecond(async () => (await auth('/api/auth/me', { token: user.token })).status === 401);
    await withinASecond(async () => (await auth('/api/auth/me', { token: other.body.accessToken! })).status === 401);
    const [event] = await waitForEvents(admin.userId, 'admin_action');
    expect(event?.metadata).toEqual({ action: 'user_revoke_sessions', adminId: admin.userId, target: user.id });
    expect((await call(`/api/auth/security/users/${user.id}`, admin.token)).body.sessions).toEqual([]);
  });

  it('lock refuses logins within 1 s and ends nothing else; unlock lets them in again', async () => {
    const admin = await signedIn('admin');
    const user = await member();
    const locked = await call(`/api/auth/security/users/${user.id}/lock`, admin.token, 'POST', { minutes: 60 });
    expect(locked.status).toBe(200);
    const until = new Date((locked.body.user as { lockedUntil: string }).lockedUntil).getTime();
    expect(Math.abs(until - (Date.now() + 60 * 60_000))).toBeLessThan(10_000);
    expect(locked.body.user).toMatchObject({ lockReason: 'admin_lock' });

    await withinASecond(
      async () => (await auth('/api/auth/login', { body: { email: user.email, password: PASSWORD } })).status === 423,
    );
    // The open session goes on: a lock is not a revocation.
    expect((await auth('/api/auth/me', { token: user.token })).status).toBe(200);

    const unlocked = await call(`/api/auth/security/users/${user.id}/unlock`, admin.token, 'POST');
    expect(unlocked.status).toBe(200);
    expect(unlocked.body.user).toMatchObject({ lockedUntil: null, lockReason: null });
    await withinASecond(
      async () => (await auth('/api/auth/login', { body: { email: user.email, password: PASSWORD } })).status === 200,
    );

    const actions = await waitForEvents(admin.userId, 'admin_action', (r) => r.length >= 2);
    expect(actions.map((e) => e.metadata.action).sort()).toEqual(['user_lock', 'user_unlock']);
    expect(actions.every((e) => e.metadata.adminId === admin.userId && e.metadata.target === user.id)).toBe(true);
  });

  it('lock defaults to 30 minutes and refuses bad minutes, bodies and ids without recording anything', async () => {
    const admin = await signedIn('admin');
    const user = await member();
    const locked = await call(`/api/auth/security/users/${user.id}/lock`, admin.token, 'POST', {});
    const until = new Date((locked.body.user as { lockedUntil: string }).lockedUntil).getTime();
    expect(Math.abs(until - (Date.now() + 30 * 60_000))).toBeLessThan(10_000);
    for (const minutes of [0, 525_601, 1.5, '30', null]) {
      const res = await call(`/api/auth/security/users/${user.id}/lock`, admin.token, 'POST', { minutes });
      expect(res.status, String(minutes)).toBe(400);
      expect(res.body.error).toBe('VALIDATION_ERROR');
    }
    expect((await call(`/api/auth/security/users/${user.id}/lock`, admin.token, 'POST')).status).toBe(415);
    expect((await call(`/api/auth/security/users/${crypto.randomUUID()}/lock`, admin.token, 'POST', {})).status).toBe(
      404,
    );
    expect((await call(`/api/auth/security/users/${crypto.randomUUID()}/unlock`, admin.token, 'POST')).status).toBe(
      404,
    );
    expect(
      (await call(`/api/auth/security/users/${crypto.randomUUID()}/revoke-sessions`, admin.token, 'POST')).status,
    ).toBe(404);
    await waitForEvents(admin.userId, 'admin_action');
    expect(await eventsWhere({ userId: admin.userId, type: 'admin_action' })).toHaveLength(1);
    await db.update(users).set({ lockedUntil: null, lockReason: null }).where(eq(users.id, user.id));
  });
});

describe('dashboard: live sessions', () => {
  it('lists live sessions by user and country, paged by cursor, with no revoked one', async () => {
    const admin = await signedIn('admin');
    const user = await member();
    for (const country of ['NL', 'NL', 'DE']) {
      expect(
        (
          await auth('/api/auth/login', {
            body: { email: user.email, password: PASSWORD, deviceName: `Phone ${country}` },
            country,
          })
        ).status,
      ).toBe(200);
    }
    const all = await call(`/api/auth/security/sessions?userId=${user.id}&limit=200`, admin.token);
    expect(all.status).toBe(200);
    expect(all.body.sessions).toHaveLength(4);
    const nl = await call(`/api/auth/security/sessions?userId=${user.id}&country=NL`, admin.token);
    expect((nl.body.sessions as Array<{ country: string }>).map((s) => s.country)).toEqual(['NL', 'NL']);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call(
        `/api/auth/security/sessions?userId=${user.id}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        admin.token,
      );
      expect(page.status).toBe(200);
      seen.push(...(page.body.sessions as Array<{ id: string }>).map((s) => s.id));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual((all.body.sessions as Array<{ id: string }>).map((s) => s.id));

    expect((await call(`/api/auth/security/sessions?userId=${user.id}&cursor=nonsense`, admin.token)).status).toBe(400);
    for (const query of ['country=nl', 'country=NLD', 'userId=x', 'limit=0', 'limit=201']) {
      expect((await call(`/api/auth/security/sessions?${query}`, admin.token)).status, query).toBe(400);
    }
    await call(`/api/auth/security/users/${user.id}/revoke-sessions`, admin.token, 'POST');
    expect((await call(`/api/auth/security/sessions?userId=${user.id}`, admin.token)).body.sessions).toEqual([]);
  });
});
