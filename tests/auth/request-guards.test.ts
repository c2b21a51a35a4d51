/**
 * The contract's "Common rules" as the auth Worker applies them before any route logic: the 16 KiB
 * body cap (declared or streamed), JSON only, malformed or mistyped JSON, the one error shape, 404s,
 * and Bearer routes without (or with a bad) token. None of it may ever produce a 500.
 */
import { exports } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/functions/auth/index';
import { testEnv } from '../test-env';
import { randomIp, signUp, uniqueEmail } from './api';

const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36';
const LIMIT = 16 * 1024;

interface Raw {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** The answer as read: its text, and its JSON when the text is JSON (a 413 from the runtime may not be). */
async function rawOf(res: Response): Promise<Raw> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

async function send(path: string, init: RequestInit & { ip?: string } = {}): Promise<Raw> {
  const headers = new Headers(init.headers);
  if (!headers.has('user-agent')) headers.set('user-agent', BROWSER_UA);
  headers.set('cf-connecting-ip', init.ip ?? randomIp());
  const res = await exports.default.fetch(new Request(`http://auth.test${path}`, { ...init, headers }));
  return rawOf(res);
}

const postJson = (path: string, body: string, extra: Record<string, string> = {}) =>
  send(path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...extra } });

/** The contract's error shape, exactly: {error, message}, plus details for a validation error. */
function expectError(res: Raw, status: number, code: string): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = res.json as Record<string, unknown>;
  expect(body, `not JSON: ${res.text}`).toBeTypeOf('object');
  const expectedKeys = code === 'VALIDATION_ERROR' ? ['details', 'error', 'message'] : ['error', 'message'];
  expect(Object.keys(body).sort()).toEqual(expectedKeys);
  expect(body.error).toBe(code);
  expect(typeof body.message).toBe('string');
  expect((body.message as string).length).toBeGreaterThan(0);
  expect(res.text).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
  if (code === 'VALIDATION_ERROR') {
    const details = body.details as { field: unknown; problem: unknown }[];
    expect(Array.isArray(details)).toBe(true);
    expect(details.length).toBeGreaterThan(0);
    for (const d of details) {
      expect(typeof d.field).toBe('string');
      expect(typeof d.problem).toBe('string');
    }
  }
}

/** A login body padded (with an ignored member) to exactly `bytes` bytes of UTF-8. */
function loginBodyOfSize(bytes: number): string {
  const base = { email: uniqueEmail('size'), password: 'not the password at all', pad: '' };
  const overhead = new TextEncoder().encode(JSON.stringify(base)).length;
  const body = JSON.stringify({ ...base, pad: 'x'.repeat(bytes - overhead) });
  expect(new TextEncoder().encode(body).length).toBe(bytes);
  return body;
}

/** A body streamed in 1 KiB chunks with no Content-Length; `endless` never closes it. */
function streamOf(bytes: number, endless = false): { stream: ReadableStream<Uint8Array>; sent: () => number } {
  const chunk = new TextEncoder().encode(`{"pad":"${'x'.repeat(1024 - 9)}`.slice(0, 1024));
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!endless && sent >= bytes) {
        controller.close();
        return;
      }
      const piece = endless ? chunk : chunk.subarray(0, Math.min(chunk.length, bytes - sent));
      sent += piece.length;
      controller.enqueue(piece);
    },
  });
  return { stream, sent: () => sent };
}

/**
 * A pull-based body of `bytes` in 16 KiB chunks that records how many chunks were pulled and whether
 * it was cancelled. No buffering ahead: a chunk is made only when the reader asks for it.
 */
function watchedStream(bytes: number): {
  stream: ReadableStream<Uint8Array>;
  total: number;
  pulls: () => number;
  cancelled: () => boolean;
} {
  const piece = new TextEncoder().encode('x'.repeat(16 * 1024));
  const total = Math.ceil(bytes / piece.length);
  let pulls = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulls === total) return controller.close();
        pulls += 1;
        controller.enqueue(piece);
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, total, pulls: () => pulls, cancelled: () => cancelled };
}

/**
 * Straight into the Worker's entry (not through a service binding), so the Worker gets this very
 * stream: what it does with the body shows on the stream, not hidden behind the runtime's own pipe
 * (which cancels whatever is left once a request ends).
 */
async function sendToEntry(body: ReadableStream<Uint8Array>, headers: Record<string, string>): Promise<Raw> {
  const ctx = createExecutionContext();
  const request = new Request('http://auth.test/api/auth/login', {
    method: 'POST',
    body,
    duplex: 'half',
    headers: { ...headers, 'user-agent': BROWSER_UA, 'cf-connecting-ip': randomIp() },
  } as RequestInit) as Request<unknown, IncomingRequestCfProperties>;
  const res = await worker.fetch!(request, testEnv, ctx);
  await waitOnExecutionContext(ctx);
  return rawOf(res);
}

const JSON_ROUTES = [
  '/api/auth/signup',
  '/api/auth/login',
  '/api/auth/google',
  '/api/auth/refresh',
  '/api/auth/logout',
];
const BEARER_ROUTES: [string, string][] = [
  ['GET', '/api/auth/me'],
  ['GET', '/api/auth/sessions'],
  ['POST', '/api/auth/logout-all'],
  ['DELETE', `/api/auth/sessions/${crypto.randomUUID()}`],
];

describe('body size: 16 KiB at most', () => {
  it('refuses a body over 16 KiB with 413 PAYLOAD_TOO_LARGE when it declares a Content-Length', async () => {
    for (const path of JSON_ROUTES) {
      const body = loginBodyOfSize(LIMIT + 1);
      const res = await postJson(path, body, { 'content-length': String(LIMIT + 1) });
      expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    }
  });

  it('refuses a body over 16 KiB with 413 when sent with no Content-Length header', async () => {
    for (const path of JSON_ROUTES) {
      const request = new Request(`http://auth.test${path}`, { method: 'POST', body: loginBodyOfSize(LIMIT + 1) });
      // The premise: this request really carries no Content-Length.
      expect(request.headers.get('content-length')).toBeNull();
      const res = await postJson(path, loginBodyOfSize(LIMIT + 1));
      expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    }
  });

  it('refuses a streamed (chunked) body over 16 KiB with 413', async () => {
    for (const path of JSON_ROUTES) {
      const { stream } = streamOf(LIMIT + 1024);
      const init = {
        method: 'POST',
        body: stream,
        duplex: 'half',
        headers: { 'content-type': 'application/json' },
      } as RequestInit;
      expect(new Request('http://auth.test/', init).headers.get('content-length')).toBeNull();
      const res = await send(path, { ...init, body: streamOf(LIMIT + 1024).stream });
      expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    }
  });

  it('stops reading a never-ending stream once it passes 16 KiB, and answers 413', async () => {
    const { stream, sent } = streamOf(0, true);
    const reply = send('/api/auth/login', {
      method: 'POST',
      body: stream,
      duplex: 'half',
      headers: { 'content-type': 'application/json' },
    } as RequestInit);
    const timeout = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000));
    const res = await Promise.race([reply, timeout]);
    expect(res, 'the guard waited for the end of an endless body').not.toBe('hung');
    expectError(res as Raw, 413, 'PAYLOAD_TOO_LARGE');
    // It stopped close to the limit: not megabytes later.
    expect(sent()).toBeLessThan(LIMIT + 256 * 1024);
  });

  it('refuses a 10 MiB streamed body with 413 and cancels the stream, not leaving it half read', async () => {
    const body = watchedStream(10 * 1024 * 1024);
    const res = await sendToEntry(body.stream, { 'content-type': 'application/json' });
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(
      body.cancelled(),
      `not cancelled by the time the 413 came back (${body.pulls()} of ${body.total} chunks pulled)`,
    ).toBe(true);
    expect(body.pulls()).toBeLessThan(body.total / 100);
  });

  it('refuses a body declared over 16 KiB, or not JSON, without reading any of it', async () => {
    const cases: [Record<string, string>, number, string][] = [
      [{ 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) }, 413, 'PAYLOAD_TOO_LARGE'],
      [{ 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ];
    for (const [headers, status, code] of cases) {
      const body = watchedStream(10 * 1024 * 1024);
      expectError(await sendToEntry(body.stream, headers), status, code);
      // Untouched, not cancelled: wrangler dev drains only an untouched body (docs/known-issues.md).
      expect(body.pulls(), JSON.stringify(headers)).toBe(0);
      expect(body.cancelled(), JSON.stringify(headers)).toBe(false);
    }
  });

  it('takes a body of exactly 16 KiB (the limit is inclusive) and goes on to the route', async () => {
    const declared = await postJson('/api/auth/login', loginBodyOfSize(LIMIT), { 'content-length': String(LIMIT) });
    expectError(declared, 401, 'INVALID_CREDENTIALS');
    const undeclared = await postJson('/api/auth/login', loginBodyOfSize(LIMIT));
    expectError(undeclared, 401, 'INVALID_CREDENTIALS');
  });

  it('caps the body of Bearer routes too (a valid token and 17 KiB, declared or streamed)', async () => {
    const account = await signUp();
    const auth = { authorization: `Bearer ${account.accessToken}` };
    const big = 'x'.repeat(LIMIT + 1024);
    for (const [method, path] of [
      ['POST', '/api/auth/logout-all'],
      ['DELETE', `/api/auth/sessions/${crypto.randomUUID()}`],
    ]) {
      const declared = await send(path!, {
        method,
        body: big,
        headers: { ...auth, 'content-type': 'application/json', 'content-length': String(big.length) },
      });
      expectError(declared, 413, 'PAYLOAD_TOO_LARGE');
      const streamed = await send(path!, {
        method,
        body: streamOf(LIMIT + 1024).stream,
        duplex: 'half',
        headers: { ...auth, 'content-type': 'application/json' },
      } as RequestInit);
      expectError(streamed, 413, 'PAYLOAD_TOO_LARGE');
    }
    // None of those requests did anything: the session is still alive.
    const me = await send('/api/auth/me', { headers: auth });
    expect(me.status).toBe(200);
  });
});

describe('media type: application/json only', () => {
  it('refuses text/plain with 415 UNSUPPORTED_MEDIA_TYPE, even when the text is valid JSON', async () => {
    for (const path of JSON_ROUTES) {
      const res = await send(path, {
        method: 'POST',
        body: JSON.stringify({ email: uniqueEmail(), password: 'whatever pass' }),
        headers: { 'content-type': 'text/plain' },
      });
      expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('refuses a body with no Content-Type, and form encodings, with 415', async () => {
    const noType = await send('/api/auth/login', {
      method: 'POST',
      body: new TextEncoder().encode('{"email":"a@b.co","password":"x"}'),
    });
    expectError(noType, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const form = await send('/api/auth/login', {
      method: 'POST',
      body: 'email=a%40b.co&password=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectError(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('accepts application/json with a charset parameter', async () => {
    const res = await send('/api/auth/login', {
      method: 'POST',
      body: JSON.stringify({ email: uniqueEmail(), password: 'not the password' }),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expectError(res, 401, 'INVALID_CREDENTIALS');
  });
});

const MALFORMED = ['{"email": "a@b.co", "password": ', '{email: 1}', 'not json', ''];

describe('malformed or mistyped JSON: 400 VALIDATION_ERROR', () => {
  it('refuses malformed JSON with 400 VALIDATION_ERROR, never a 500', async () => {
    for (const body of MALFORMED) {
      for (const path of JSON_ROUTES) {
        const res = await postJson(path, body);
        expect(res.status, `${path} ${JSON.stringify(body)}: ${res.text}`).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        const json = res.json as Record<string, unknown>;
        expect(json.error).toBe('VALIDATION_ERROR');
        expect(typeof json.message).toBe('string');
        expect(['details', 'error', 'message']).toEqual(expect.arrayContaining(Object.keys(json)));
      }
    }
  });

  it('gives a malformed-JSON 400 the details every validation error carries (contract: "a validation error adds details")', async () => {
    for (const body of MALFORMED) {
      for (const path of JSON_ROUTES) expectError(await postJson(path, body), 400, 'VALIDATION_ERROR');
    }
  });

  it('refuses a JSON array, null, a string or a number as the body', async () => {
    for (const body of ['[]', '[{"email":"a@b.co","password":"x"}]', 'null', '"text"', '42', 'true']) {
      for (const path of JSON_ROUTES) expectError(await postJson(path, body), 400, 'VALIDATION_ERROR');
    }
  });

  it('refuses fields of the wrong JSON type, naming the field', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['/api/auth/login', { email: uniqueEmail(), password: 12345678 }, 'password'],
      ['/api/auth/login', { email: null, password: 'whatever pass' }, 'email'],
      ['/api/auth/login', { email: uniqueEmail(), password: 'whatever pass', deviceName: 7 }, 'deviceName'],
      ['/api/auth/refresh', { refreshToken: { nested: true } }, 'refreshToken'],
      ['/api/auth/logout', { refreshToken: ['a'] }, 'refreshToken'],
      ['/api/auth/google', { idToken: 1 }, 'idToken'],
      ['/api/auth/signup', { email: uniqueEmail(), password: 'a fine passphrase', name: { first: 'Ada' } }, 'name'],
    ];
    for (const [path, body, field] of cases) {
      const res = await postJson(path, JSON.stringify(body));
      expectError(res, 400, 'VALIDATION_ERROR');
      expect((res.json as { details: { field: string }[] }).details.map((d) => d.field)).toContain(field);
    }
  });
});

describe('unknown routes', () => {
  it('answers 404 NOT_FOUND in the contract shape', async () => {
    expectError(await send('/api/auth/nope'), 404, 'NOT_FOUND');
    expectError(
      await send('/definitely/not/here', {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      }),
      404,
      'NOT_FOUND',
    );
    expectError(await send('/'), 404, 'NOT_FOUND');
  });
});

describe('Bearer routes', () => {
  it('answer 401 UNAUTHORIZED with WWW-Authenticate: Bearer when no token is sent', async () => {
    for (const [method, path] of BEARER_ROUTES) {
      const res = await send(path, { method });
      expectError(res, 401, 'UNAUTHORIZED');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    }
  });

  it('answer 401 UNAUTHORIZED for another scheme or an empty Bearer', async () => {
    for (const [method, path] of BEARER_ROUTES) {
      for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'Token abc']) {
        const res = await send(path, { method, headers: { authorization } });
        expectError(res, 401, 'UNAUTHORIZED');
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      }
    }
  });

  it('answer 401 TOKEN_INVALID for a garbage or forged token', async () => {
    const account = await signUp({ ip: randomIp() });
    const [header, payload] = account.accessToken.split('.');
    const b64url = (value: object) =>
      btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const claims = JSON.parse(atob(payload!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    const tokens = [
      'garbage',
      'a.b.c',
      `${header}.${payload}.`,
      // alg none with the real claims.
      `${b64url({ alg: 'none', typ: 'at+jwt' })}.${payload}.`,
      // The real header and signature over tampered claims (role admin).
      `${header}.${b64url({ ...claims, role: 'admin' })}.${account.accessToken.split('.')[2]}`,
    ];
    for (const [method, path] of BEARER_ROUTES) {
      for (const token of tokens) {
        const res = await send(path, { method, headers: { authorization: `Bearer ${token}` } });
        expectError(res, 401, 'TOKEN_INVALID');
      }
    }
  });
});

describe('never a 500', () => {
  it('answers 4xx to every kind of bad input above, on every route', async () => {
    const inputs: RequestInit[] = [
      { method: 'POST', body: 'x'.repeat(LIMIT * 4), headers: { 'content-type': 'application/json' } },
      { method: 'POST', body: '{"a":', headers: { 'content-type': 'application/json' } },
      { method: 'POST', body: 'null', headers: { 'content-type': 'application/json' } },
      { method: 'POST', body: '{}', headers: { 'content-type': 'text/plain' } },
      {
        method: 'POST',
        body: '{"email":{"$ne":null},"password":{"$gt":""}}',
        headers: { 'content-type': 'application/json' },
      },
      { method: 'POST', body: '\u0000\uffff', headers: { 'content-type': 'application/json' } },
      { method: 'GET', headers: { authorization: 'Bearer \u00ff\u00fe' } },
      { method: 'DELETE', headers: { authorization: 'Bearer x.y.z' } },
    ];
    const paths = [
      ...JSON_ROUTES,
      ...BEARER_ROUTES.map(([, p]) => p),
      '/api/auth/sessions/not-a-uuid',
      '/api/auth/unknown',
    ];
    for (const path of paths) {
      for (const init of inputs) {
        const res = await send(path, init);
        expect(res.status, `${init.method} ${path}: ${res.text}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${init.method} ${path}: ${res.text}`).toBeLessThan(500);
        const body = res.json as Record<string, unknown>;
        expect(body, res.text).toBeTypeOf('object');
        expect(typeof body.error).toBe('string');
        expect(typeof body.message).toBe('string');
      }
    }
  });
});
