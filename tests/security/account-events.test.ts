/** Events the contract lists that come from less travelled paths: takeover signal, refused tokens, cleanup. */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import worker from '../../src/functions/auth/index';
import { testEnv } from '../test-env';
import { securityEvents } from '../../src/lib/storage/schema';
import { PASSWORD, api, randomIp, signUp } from '../auth/api';
import { db, eventsWhere, eventually } from '../support';

/** Waits (about 3 s) for events of `type` for a user or from an address; answers what is there by then. */
const eventsOf = (type: string, where: { userId?: string; ip?: string }) =>
  eventually(
    () => eventsWhere({ ...where, type }),
    (rows) => rows.length > 0,
  );

describe('account_takeover_attempt', () => {
  it('is raised (critical) when a login succeeds from an IP that just failed 3 times for the account', async () => {
    const user = await signUp();
    const ip = randomIp();
    for (let i = 0; i < 3; i++)
      expect(
        (await api('/api/auth/login', { body: { email: user.email, password: 'wrong password!' }, ip })).status,
      ).toBe(401);
    expect((await api('/api/auth/login', { body: { email: user.email, password: PASSWORD }, ip })).status).toBe(200);
    const [event] = await eventsOf('account_takeover_attempt', { userId: user.user.id });
    expect(event?.severity).toBe('critical');
    expect(event?.metadata).toMatchObject({ failuresBefore: 3 });
  });

  it('is not raised after only 2 failures', async () => {
    const user = await signUp();
    const ip = randomIp();
    for (let i = 0; i < 2; i++)
      await api('/api/auth/login', { body: { email: user.email, password: 'wrong password!' }, ip });
    expect((await api('/api/auth/login', { body: { email: user.email, password: PASSWORD }, ip })).status).toBe(200);
    await eventsOf('login_success', { userId: user.user.id }); // the login's events have landed
    const rows = await db
      .select()
      .from(securityEvents)
      .where(and(eq(securityEvents.eventType, 'account_takeover_attempt'), eq(securityEvents.userId, user.user.id)));
    expect(rows).toHaveLength(0);
  });
});

describe('token_verification_failed', () => {
  it('records a refused access token with its reason, never the token', async () => {
    const ip = randomIp();
    const forged = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.';
    expect((await api('/api/auth/me', { token: forged, ip })).status).toBe(401);
    const [event] = await eventsOf('token_verification_failed', { ip });
    expect(event?.metadata).toMatchObject({ reason: 'TOKEN_INVALID', route: 'GET /api/auth/me' });
    expect(JSON.stringify(event)).not.toContain(forged);
  });
});

describe('token_cleanup', () => {
  it('the nightly job records what it deleted', async () => {
    const before = new Date(Date.now() - 1000);
    const ctrl = createScheduledController({ cron: '0 2 * * *', scheduledTime: Date.now() });
    const ctx = createExecutionContext();
    await worker.scheduled!(ctrl, testEnv, ctx);
    await waitOnExecutionContext(ctx);
    const rows = await db
      .select()
      .from(securityEvents)
      .where(
        and(eq(securityEvents.eventType, 'token_cleanup'), sql`${securityEvents.createdAt} >= ${before.toISOString()}`),
      );
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(typeof rows[0]?.metadata.expiredTokensDeleted).toBe('number');
  });
});
