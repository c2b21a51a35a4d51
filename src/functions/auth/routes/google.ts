/** POST /api/auth/google: sign in with a Google ID token. */
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import type { AuthHonoEnv } from '../context';
import type { AuthDeps } from '../deps';
import { GoogleBody, TokenResponse, errorResponse, jsonContent, jsonRouteErrors } from '../schemas';
import { jsonBody } from '../../../lib/http/json-body';
import { gate } from '../route-gate';
import { validationHook } from '../../../lib/http/validation';
import { ApiError, type ErrorCode } from '../../../lib/http/errors';
import { signInWithGoogle, type GoogleSignInResult } from '../../../lib/accounts/google-sign-in';
import { finishSignIn } from '../sign-in';
import { EMAIL_PROVEN_BY_GOOGLE } from '../../../lib/accounts/google-link-store';

const googleRoute = createRoute({
  method: 'post',
  path: '/api/auth/google',
  middleware: [gate({ limit: 'google', credential: true, watchUserAgent: true }), jsonBody] as const,
  request: { body: { content: { 'application/json': { schema: GoogleBody } }, required: true } },
  responses: {
    ...jsonRouteErrors,
    200: jsonContent(
      TokenResponse,
      'Signed in with Google (the account is created or linked by verified email; linking ends an unproven password and its sessions)',
    ),
    401: errorResponse('INVALID_CREDENTIALS: the ID token failed verification (or its nonce is not the one sent)'),
    409: errorResponse('EMAIL_TAKEN: the email belongs to an account linked to another Google account'),
    423: errorResponse('ACCOUNT_LOCKED'),
    503: errorResponse('Google sign-in is not configured, or Google keys are unreachable'),
  },
});

/** Each refused Google sign-in on the wire and in its `oauth_failed` event. */
const googleRefusals: Record<
  Exclude<GoogleSignInResult['kind'], 'signed_in'>,
  { code: ErrorCode; message: string; reason: string }
> = {
  locked: { code: 'ACCOUNT_LOCKED', message: 'this account is locked; try again later', reason: 'account_locked' },
  linked_to_other_subject: {
    code: 'EMAIL_TAKEN',
    message: 'this email belongs to an account linked to another Google account',
    reason: 'linked_to_other_google_account',
  },
};

export function googleRoutes(deps: AuthDeps) {
  const app = new OpenAPIHono<AuthHonoEnv>({ defaultHook: validationHook });

  app.openapi(googleRoute, async (c) => {
    const { idToken, nonce, deviceName } = c.req.valid('json');
    const events = c.get('events');
    if (!deps.google) throw new ApiError('SERVICE_UNAVAILABLE', 'Google sign-in is not configured');
    const now = deps.clock();
    const verified = await deps.google(idToken, now, { nonce }).catch((err: unknown) => {
      deps.report(err, { source: 'post', detail: 'google-jwks' });
      throw new ApiError('SERVICE_UNAVAILABLE', 'Google keys are unreachable; try again shortly');
    });
    if (!verified.ok) {
      events.record('oauth_failed', { metadata: { provider: 'google', reason: verified.reason } });
      throw new ApiError('INVALID_CREDENTIALS', 'Google ID token is not valid');
    }
    const result = await signInWithGoogle(deps.db, verified.identity, now);
    if (result.kind !== 'signed_in') {
      const refusal = googleRefusals[result.kind];
      events.record('oauth_failed', {
        userId: result.user.id,
        metadata: { provider: 'google', reason: refusal.reason },
      });
      throw new ApiError(refusal.code, refusal.message);
    }
    const { user, created, link } = result;
    if (link?.passwordCleared) {
      // The address was never proven: whoever set that password may not be its owner.
      events.record('mass_token_revocation', {
        userId: user.id,
        metadata: { reason: EMAIL_PROVEN_BY_GOOGLE, sessions: link.sessionsEnded, passwordCleared: true },
      });
    }
    const success = {
      type: 'oauth_success' as const,
      metadata: { provider: 'google', created, linked: link !== null, passwordCleared: link?.passwordCleared ?? false },
    };
    return c.json(await finishSignIn(c, deps, { user, deviceName, now, success }), 200);
  });

  return app;
}
