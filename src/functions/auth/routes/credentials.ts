/** POST /api/auth/signup and /api/auth/login. */
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import type { AuthHonoEnv } from '../context';
import type { AuthDeps } from '../deps';
import { SignupBody, LoginBody, TokenResponse, errorResponse, jsonContent, jsonRouteErrors } from '../schemas';
import { jsonBody } from '../../../lib/http/json-body';
import { gate, takeRouteLimit } from '../route-gate';
import { limitTakenByRoute } from '../../../lib/detection/request-gate';
import { sha256Hex } from '../../../lib/sha256';
import { validationHook } from '../../../lib/http/validation';
import { ApiError, type ErrorCode } from '../../../lib/http/errors';
import type { EventType } from '../../../lib/events/event-types';
import { signUp } from '../../../lib/accounts/sign-up';
import { logIn, type LogInResult } from '../../../lib/accounts/log-in';
import { finishSignIn } from '../sign-in';
import { normalizeEmail } from '../../../lib/accounts/user-store';
import { addressGuard } from '../../../lib/detection/address-guard';
import { secondsLeft, type IpBlock } from '../../../lib/detection/ip-blocklist';
import { ipBucket } from '../../../lib/client/ip-bucket';
import { riskSummary } from '../../../lib/detection/risk';

const signupRoute = createRoute({
  method: 'post',
  path: '/api/auth/signup',
  middleware: [
    gate({ limit: 'signup', credential: true, watchUserAgent: true, passwordWork: true }),
    jsonBody,
  ] as const,
  request: { body: { content: { 'application/json': { schema: SignupBody } }, required: true } },
  responses: {
    ...jsonRouteErrors,
    201: jsonContent(TokenResponse, 'Account created and signed in'),
    400: errorResponse('Bad email, name or password, or malformed JSON (see details)'),
    409: errorResponse('EMAIL_TAKEN'),
  },
});

const loginRoute = createRoute({
  method: 'post',
  path: '/api/auth/login',
  middleware: [
    gate({ limit: 'login', failures: 'loginFailures', credential: true, watchUserAgent: true, passwordWork: true }),
    jsonBody,
  ] as const,
  request: { body: { content: { 'application/json': { schema: LoginBody } }, required: true } },
  responses: {
    ...jsonRouteErrors,
    200: jsonContent(TokenResponse, 'Signed in'),
    401: errorResponse('INVALID_CREDENTIALS: the same for an unknown email and a wrong password'),
    423: errorResponse('ACCOUNT_LOCKED'),
  },
});

type LoginFailure = Extract<LogInResult, { ok: false }>['reason'];

/**
 * Each refused login on the wire and in the event log. One answer for an unknown email and a wrong
 * password; `login_failed` is for unknown users (contract), `failed_login_attempt` for a known account.
 * A locked account's refusal is not a guess against it (its password was not even looked at).
 */
const loginFailures: Record<
  LoginFailure,
  { code: ErrorCode; message: string; event: EventType; reason: string; countsAsGuess: boolean }
> = {
  unknown_user: {
    code: 'INVALID_CREDENTIALS',
    message: 'email or password is incorrect',
    event: 'login_failed',
    reason: 'unknown_user',
    countsAsGuess: true,
  },
  no_password: {
    code: 'INVALID_CREDENTIALS',
    message: 'email or password is incorrect',
    event: 'failed_login_attempt',
    reason: 'no_password',
    countsAsGuess: true,
  },
  wrong_password: {
    code: 'INVALID_CREDENTIALS',
    message: 'email or password is incorrect',
    event: 'failed_login_attempt',
    reason: 'wrong_password',
    countsAsGuess: true,
  },
  /** Credential stuffing was seen from this address: only devices the account knows sign in from it. */
  address_guarded: {
    code: 'IP_BLOCKED',
    message: 'password sign-in from this address is restricted for a while',
    event: 'failed_login_attempt',
    reason: 'address_guarded',
    countsAsGuess: true,
  },
  locked: {
    code: 'ACCOUNT_LOCKED',
    message: 'this account is locked; try again later',
    event: 'failed_login_attempt',
    reason: 'account_locked',
    countsAsGuess: false,
  },
};

/** Seconds until a refused login may succeed: the lock's or the guard's end; none for a 401. */
async function refusalRetryAfter(
  result: Extract<LogInResult, { ok: false }>,
  guard: Promise<IpBlock | undefined>,
  now: Date,
): Promise<number | undefined> {
  if (result.reason === 'locked') return Math.max(1, Math.ceil((result.lockedUntil.getTime() - now.getTime()) / 1000));
  if (result.reason !== 'address_guarded') return undefined;
  const block = await guard;
  return block ? secondsLeft(block, now) : 1;
}

export function credentialRoutes(deps: AuthDeps) {
  const app = new OpenAPIHono<AuthHonoEnv>({ defaultHook: validationHook });

  app.openapi(signupRoute, async (c) => {
    const body = c.req.valid('json');
    const events = c.get('events');
    const result = await signUp(deps.db, body);
    if (!result.ok) {
      events.record('signup_failed', { metadata: { reason: result.reason } });
      throw new ApiError('EMAIL_TAKEN', 'an account with this email already exists');
    }
    const tokens = await finishSignIn(c, deps, {
      user: result.user,
      deviceName: body.deviceName,
      now: deps.clock(),
      success: { type: 'signup_success' },
    });
    return c.json(tokens, 201);
  });

  app.openapi(loginRoute, async (c) => {
    const body = c.req.valid('json');
    const events = c.get('events');
    const now = deps.clock();
    const client = c.get('client');
    const email = normalizeEmail(body.email);
    const ip = ipBucket(client.ip);
    // Per (IP, email), taken before any password work; the email only as a hash (it is a Redis key).
    if (limitTakenByRoute('login', deps.security))
      await takeRouteLimit(c, deps, 'login', `${ip}:${(await sha256Hex(email)).slice(0, 32)}`);
    const guard = addressGuard(deps.redis, ip, now).catch((err: unknown) => {
      deps.report(err, { source: 'detect', detail: 'address-guard' }); // Redis down: no guard, as no block check
      return undefined;
    });
    const result = await logIn(
      deps.db,
      {
        email: body.email,
        password: body.password,
        fingerprint: client.fingerprint,
        addressGuarded: guard.then(Boolean),
      },
      now,
    );
    if (!result.ok) {
      const failure = loginFailures[result.reason];
      const userId = result.reason === 'unknown_user' ? null : result.userId;
      // `login_failed` is the contract's event for an unknown user, whatever refused it.
      events.record(userId ? failure.event : 'login_failed', { userId, metadata: { reason: failure.reason } });
      // Awaited: a brute-force block must be in place before the next attempt arrives.
      // The failure also takes a slot of the address's ceiling (the gate only looks at it).
      if (failure.countsAsGuess)
        await Promise.all([
          deps.detect.loginFailure(events, { email, userId, client, now }),
          deps.limiter('loginFailures', ip, now),
        ]);
      throw new ApiError(failure.code, failure.message, { retryAfter: await refusalRetryAfter(result, guard, now) });
    }
    const risk = await deps.detect.loginRisk({ email, userId: result.user.id, client, now });
    const recorded = risk ? riskSummary(risk) : undefined;
    if (risk?.action === 'refuse') {
      // A right password from a device the account never used, where the signals say takeover: the
      // same answer as a wrong password (no oracle for a list), and an alert. Never a known device.
      events.record('account_takeover_attempt', {
        userId: result.user.id,
        alert: true,
        metadata: { reason: 'risky_login_refused', risk: recorded },
      });
      throw new ApiError(loginFailures.wrong_password.code, loginFailures.wrong_password.message);
    }
    if (risk?.action === 'alert')
      events.record('suspicious_activity', {
        userId: result.user.id,
        alert: true,
        metadata: { reason: 'risky_login', risk: recorded },
      });
    const rehash = result.rehash();
    if (rehash)
      c.executionCtx.waitUntil(rehash.catch((err: unknown) => deps.report(err, { source: 'post', detail: 'rehash' })));
    return c.json(
      await finishSignIn(c, deps, {
        user: result.user,
        deviceName: body.deviceName,
        now,
        success: { type: 'login_success', metadata: recorded ? { risk: recorded } : {} },
      }),
      200,
    );
  });

  return app;
}
