/**
 * Errors and security signals reach Sentry, and nothing secret goes with them. Sentry's servers cannot
 * be reached here, so the test stack serves its ingest protocol (scripts/stack/fake-sentry.ts) and the
 * real @sentry/cloudflare SDK sends to it through the Worker's real entry.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import worker from '../../src/functions/auth/index';
import { stackControl, testEnv } from '../test-env';
import { PASSWORD, randomIp, signUp, uniqueEmail } from '../auth/api';

const control = testEnv.STACK_CONTROL_URL;
const dsn = control.replace('http://', 'http://publickey@') + '/1';
const env = { ...testEnv, SENTRY_DSN: dsn };

async function envelopes(): Promise<string[]> {
  const res = await fetch(`${control}/sentry/envelopes`);
  return ((await res.json()) as { envelopes: string[] }).envelopes;
}

async function send(path: string, body: unknown, headers: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  const res = await worker.fetch!(
    new Request(`http://auth.test${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: {
        'content-type': 'application/json',
        'cf-connecting-ip': randomIp(),
        'user-agent': 'Mozilla/5.0 Chrome/131.0',
        ...headers,
      },
    }) as Request<unknown, IncomingRequestCfProperties>,
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, string> | null };
}

async function waitForEnvelope(match: (text: string) => boolean): Promise<string> {
  for (let i = 0; i < 40; i++) {
    const found = (await envelopes()).find(match);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no matching Sentry envelope arrived');
}

describe('Sentry reports', () => {
  beforeEach(async () => {
    await fetch(`${control}/sentry/envelopes`, { method: 'DELETE' });
  });
  afterEach(async () => {
    await stackControl('postgres', 'start');
  });

  it('reports a database outage without the password, the email, or the authorization header', async () => {
    const email = uniqueEmail('sentry');
    await stackControl('postgres', 'stop');
    const res = await send(
      '/api/auth/login',
      { email, password: PASSWORD },
      { authorization: 'Bearer secret-bearer-value', cookie: 'session=secret-cookie-value' },
    );
    expect(res.status).toBe(503);
    expect(res.body?.error).toBe('SERVICE_UNAVAILABLE');
    const envelope = await waitForEnvelope((text) => text.includes('"exception"'));
    for (const secret of [PASSWORD, email, 'secret-bearer-value', 'secret-cookie-value'])
      expect(envelope).not.toContain(secret);
  });

  it('sends a refresh-token reuse as a security signal, without the token', async () => {
    const user = await signUp();
    const first = await send('/api/auth/refresh', { refreshToken: user.refreshToken });
    expect(first.status).toBe(200);
    // Reuse after the interval: move the retired token's rotation back past it.
    const { db } = await import('../support');
    const { hashRefreshToken } = await import('../../src/lib/tokens/refresh-token');
    const { sql } = await import('drizzle-orm');
    await db.execute(
      sql`update refresh_tokens set rotated_at = rotated_at - interval '1 minute' where token_hash = ${await hashRefreshToken(user.refreshToken)}`,
    );
    const reuse = await send('/api/auth/refresh', { refreshToken: user.refreshToken });
    expect(reuse.body?.error).toBe('TOKEN_REUSED');
    const envelope = await waitForEnvelope((text) => text.includes('security: session_hijack_attempt'));
    expect(envelope).toContain(user.user.id);
    for (const secret of [user.refreshToken, first.body?.refreshToken ?? 'x', user.accessToken])
      expect(envelope).not.toContain(secret);
  });
});
