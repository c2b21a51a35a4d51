/** POST /api/auth/signup and /api/auth/login. */
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import type { AuthHonoEnv } from '../context';
import type { AuthDeps } from '../deps';
import { SignupBody, LoginBody, TokenResponse, errorResponse, jsonContent, jsonRouteErrors } from '../schemas';
import { jsonBody } from '../../../lib/http/json-body';
import { gate } from '../route-gate';
import { validationHook } from '../../../lib/http/validation';
import { ApiError, type ErrorCode } from '../../../lib/http/errors';
import type { EventType } from '../../../lib/events/event-types';
import { signUp } from '../../../lib/accounts/sign-up';
import { logIn, type LogInResult } from '../../../lib/accounts/log-in';
import { finishSignIn } from '../sign-in';
import { normalizeEmail } from '../../../lib/accounts/user-store';

const signupRoute = createRoute({
  method: 'post',
  path: '/api/auth/signup',
  middleware: [gate({ limit: 'signup', credential: true, watchUserAgent: true }), jsonBody] as const,
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
  middleware: [gate({ limit: 'login', credential: true, watchUserAgent: true }), jsonBody] as const,
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
  locked: {
    code: 'ACCOUNT_LOCKED',
    message: 'this account is locked; try again later',
    event: 'failed_login_attempt',
    reason: 'account_locked',
    countsAsGuess: false,
  },
};

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
    const result = await logIn(deps.db, body, now);
    if (!result.ok) {
      const failure = loginFailures[result.reason];
      const userId = result.reason === 'unknown_user' ? null : result.userId;
      events.record(failure.event, { userId, metadata: { reason: failure.reason } });
      // Awaited: a brute-force block must be in place before the next attempt arrives.
      if (failure.countsAsGuess) await deps.detect.loginFailure(events, { email, userId, client, now });
      const retryAfter =
        result.reason === 'locked'
          ? Math.max(1, Math.ceil((result.lockedUntil.getTime() - now.getTime()) / 1000))
          : undefined;
      throw new ApiError(failure.code, failure.message, { retryAfter });
    }
    const rehash = result.rehash();
    if (rehash)
      c.executionCtx.waitUntil(rehash.catch((err: unknown) => deps.report(err, { source: 'post', detail: 'rehash' })));
    return c.json(
      await finishSignIn(c, deps, {
        user: result.user,
        deviceName: body.deviceName,
        now,
        success: { type: 'login_success' },
      }),
      200,
    );
  });

  return app;
}
