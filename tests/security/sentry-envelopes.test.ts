/**
 * No secret in any Sentry envelope, of any kind (errors, transactions, spans, check-ins, sessions).
 * @sentry/cloudflare collects request bodies, headers and the client IP by default and `beforeSend`
 * sees errors only, so this drives every auth flow through the real entry with tracing at 1.0 and
 * scans every envelope the SDK sent to the stack's stand-in for Sentry's ingest.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { sql } from 'drizzle-orm';
import worker from '../../src/functions/auth/index';
import { stackControl, testEnv } from '../test-env';
import { db, sleep } from '../support';
import { uniqueEmail } from '../auth/api';
import { hashRefreshToken } from '../../src/lib/tokens/refresh-token';

const control = testEnv.STACK_CONTROL_URL;
const env = {
  ...testEnv,
  SENTRY_DSN: control.replace('http://', 'http://publickey@') + '/1',
  SENTRY_TRACES_SAMPLE_RATE: '1',
};
const clientIp = `10.${Math.floor(Math.random() * 200) + 20}.77.${Math.floor(Math.random() * 200) + 20}`;
const cookie = `session=cookie-${crypto.randomUUID()}`;
const kid = `sentry-google-${crypto.randomUUID()}`;
let googleKey: CryptoKey;

async function envelopes(): Promise<string[]> {
  const res = await fetch(`${control}/sentry/envelopes`);
  return ((await res.json()) as { envelopes: string[] }).envelopes;
}

type Body = Record<string, unknown> & { accessToken?: string; refreshToken?: string; error?: string };

async function call(path: string, init: { body?: unknown; token?: string; method?: string } = {}) {
  const headers: Record<string, string> = {
    'cf-connecting-ip': clientIp,
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0',
    cookie,
  };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const ctx = createExecutionContext();
  const res = await worker.fetch!(
    new Request(`http://auth.test${path}?access_token=query-secret`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }) as Request<unknown, IncomingRequestCfProperties>,
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Body };
}

function googleIdToken(email: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email, email_verified: true, name: 'Grace Hopper' })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setIssuer('https://accounts.google.com')
    .setAudience(testEnv.GOOGLE_CLIENT_ID)
    .setSubject(`google-${crypto.randomUUID()}`)
    .setIssuedAt(now - 10)
    .setExpirationTime(now + 3600)
    .sign(googleKey);
}

describe('Sentry envelopes carry no secret', () => {
  const secrets: string[] = [clientIp, cookie, 'query-secret'];
  let sent: string[] = [];

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    googleKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
    await fetch(`${control}/google/keys`, { method: 'PUT', body: JSON.stringify({ keys: [jwk] }) });
    await fetch(`${control}/sentry/envelopes`, { method: 'DELETE' });

    const email = uniqueEmail('envelope');
    const password = `pw ${crypto.randomUUID()} envelope`;
    secrets.push(email, password);
    const signup = await call('/api/auth/signup', { body: { email, password, name: 'Envelope Test' } });
    expect(signup.status).toBe(201);
    const login = await call('/api/auth/login', { body: { email, password } });
    expect(login.status).toBe(200);
    expect((await call('/api/auth/login', { body: { email, password: `${password} wrong` } })).status).toBe(401);
    secrets.push(`${password} wrong`);
    const me = await call('/api/auth/me', { token: login.body.accessToken });
    expect(me.status).toBe(200);
    const rotated = await call('/api/auth/refresh', { body: { refreshToken: login.body.refreshToken } });
    expect(rotated.status).toBe(200);
    // Reuse after the interval: move the retired token's rotation back past it.
    await db.execute(
      sql`update refresh_tokens set rotated_at = rotated_at - interval '1 minute' where token_hash = ${await hashRefreshToken(login.body.refreshToken!)}`,
    );
    expect((await call('/api/auth/refresh', { body: { refreshToken: login.body.refreshToken } })).body.error).toBe(
      'TOKEN_REUSED',
    );
    const idToken = await googleIdToken(uniqueEmail('envelope-google'));
    const google = await call('/api/auth/google', { body: { idToken } });
    expect(google.status).toBe(200);
    expect((await call('/api/auth/logout', { body: { refreshToken: signup.body.refreshToken } })).status).toBe(204);
    for (const tokens of [signup.body, login.body, rotated.body, google.body])
      secrets.push(tokens.accessToken!, tokens.refreshToken!);
    secrets.push(idToken);
    await stackControl('postgres', 'stop');
    try {
      expect((await call('/api/auth/login', { body: { email, password } })).status).toBe(503);
    } finally {
      await stackControl('postgres', 'start');
    }
    // Spans and signals are flushed after the response; give the last ones time to arrive.
    await sleep(1500);
    sent = await envelopes();
  }, 60_000);

  afterAll(() => stackControl('postgres', 'start'));

  it('sends error, transaction or span envelopes at all (the scan below has something to scan)', () => {
    const kinds = new Set(
      sent.flatMap((text) =>
        text
          .split('\n')
          .slice(1)
          .map((line) => {
            try {
              return (JSON.parse(line) as { type?: string }).type;
            } catch {
              return undefined;
            }
          })
          .filter((t): t is string => typeof t === 'string'),
      ),
    );
    expect(kinds.has('event')).toBe(true);
    expect([...kinds].some((kind) => kind === 'span' || kind === 'transaction')).toBe(true);
    // The release comes from the version metadata binding when SENTRY_RELEASE is empty.
    expect(sent.some((text) => /"release":"[\w-]{8,}"/.test(text))).toBe(true);
  });

  it('holds no password, email, token, ID token, cookie, authorization header, query secret or client IP', () => {
    const all = sent.join('\n');
    for (const secret of secrets)
      expect(all.includes(secret), `an envelope contains ${secret.slice(0, 12)}...`).toBe(false);
    expect(all).not.toMatch(/"(authorization|cookie)"\s*:/i);
    expect(all).not.toContain('http.request.body');
  });
});
