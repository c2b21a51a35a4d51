/** POST /api/auth/signup and /api/auth/login. */
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import type { AuthHonoEnv } from '../context';
import type { AuthDeps } from '../deps';
import { SignupBody, LoginBody, TokenResponse, errorResponse, jsonContent, jsonRouteErrors } from '../schemas';
import { jsonBody } from '../../../lib/http/json-body';
import { gate } from '../route-gate';
import { validationHook } from '../../../lib/http/validation';
import { ApiError } from '../../../lib/http/errors';
import { signUp } from '../../../lib/accounts/sign-up';
import { logIn } from '../../../lib/accounts/log-in';
import { startSession } from '../../../lib/sessions/token-issuer';
import { normalizeEmail } from '../../../lib/users/user-store';

const signupRoute = createRoute({
  method: 'post', path: '/api/auth/signup', middleware: [gate({ limit: 'signup', credential: true, watchUserAgent: true }), jsonBody] as const,
  request: { body: { content: { 'application/json': { schema: SignupBody } }, required: true } },
  responses: {
    ...jsonRouteErrors,
    201: jsonContent(TokenResponse, 'Account created and signed in'),
    400: errorResponse('Bad email, name or password, or malformed JSON (see details)'),
    409: errorResponse('EMAIL_TAKEN'),
  },
});

const loginRoute = createRoute({
  method: 'post', path: '/api/auth/login', middleware: [gate({ limit: 'login', credential: true, watchUserAgent: true }), jsonBody] as const,
  request: { body: { content: { 'application/json': { schema: LoginBody } }, required: true } },
  responses: {
    ...jsonRouteErrors,
    200: jsonContent(TokenResponse, 'Signed in'),
    401: errorResponse('INVALID_CREDENTIALS: the same for an unknown email and a wrong password'),
    423: errorResponse('ACCOUNT_LOCKED'),
  },
});

const INVALID_CREDENTIALS = () => new ApiError('INVALID_CREDENTIALS', 'email or password is incorrect');

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
    const now = deps.clock();
    const session = await startSession(await deps.sessions(), result.user, body.deviceName ?? null, c.get('client'), now);
    c.get('defer')(deps.detect.loginSuccess(events, { email: result.user.email, userId: result.user.id, client: c.get('client'), now }));
    events.record('signup_success', { userId: result.user.id });
    events.record('token_generated', { userId: result.user.id, tokenId: session.tokenId, metadata: { sessionId: session.sessionId } });
    return c.json(session.response, 201);
  });

  app.openapi(loginRoute, async (c) => {
    const body = c.req.valid('json');
    const events = c.get('events');
    const now = deps.clock();
    const client = c.get('client');
    const email = normalizeEmail(body.email);
    const result = await logIn(deps.db, body, now);
    if (!result.ok) {
      if (result.reason === 'unknown_user') {
        events.record('login_failed', { metadata: { reason: result.reason } });
        // Awaited: a brute-force block must be in place before the next attempt arrives.
        await deps.detect.loginFailure(events, { email, userId: null, client, now });
        throw INVALID_CREDENTIALS();
      }
      if (result.reason === 'locked') {
        // login_failed is for unknown users (contract); this is a known account refused for its lock.
        events.record('failed_login_attempt', { userId: result.userId, metadata: { reason: 'account_locked' } });
        const retryAfter = Math.max(1, Math.ceil((result.lockedUntil.getTime() - now.getTime()) / 1000));
        throw new ApiError('ACCOUNT_LOCKED', 'this account is locked; try again later', { retryAfter });
      }
      events.record('failed_login_attempt', { userId: result.userId, metadata: { reason: result.reason } });
      await deps.detect.loginFailure(events, { email, userId: result.userId, client, now });
      throw INVALID_CREDENTIALS();
    }
    const rehash = result.rehash();
    if (rehash) c.executionCtx.waitUntil(rehash.catch((err: unknown) => deps.report(err, { method: 'POST', path: 'rehash' })));
    const session = await startSession(await deps.sessions(), result.user, body.deviceName ?? null, client, now);
    c.get('defer')(deps.detect.loginSuccess(events, { email, userId: result.user.id, client, now }));
    events.record('login_success', { userId: result.user.id, metadata: { sessionId: session.sessionId } });
    events.record('token_generated', { userId: result.user.id, tokenId: session.tokenId, metadata: { sessionId: session.sessionId } });
    return c.json(session.response, 200);
  });

  return app;
}
