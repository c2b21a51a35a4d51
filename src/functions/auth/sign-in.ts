/**
 * The one way a sign-in ends, whatever proved the user (a new account, a password, Google): a new
 * session, post-login detection after the response, the flow's success event and `token_generated`.
 * Every success event names the session it opened.
 */
import type { Context } from 'hono';
import type { AuthHonoEnv } from './context';
import type { AuthDeps } from './deps';
import type { EventType } from '../../lib/events/event-types';
import { startSession, type SessionUser, type TokenResponse } from '../../lib/sessions/token-issuer';

export interface SignIn {
  user: SessionUser;
  deviceName: string | null | undefined;
  now: Date;
  /** `signup_success`, `login_success` or `oauth_success`, with what the flow adds to it. */
  success: { type: EventType; metadata?: Record<string, unknown> };
}

export async function finishSignIn(c: Context<AuthHonoEnv>, deps: AuthDeps, s: SignIn): Promise<TokenResponse> {
  const client = c.get('client');
  const events = c.get('events');
  const session = await startSession(await deps.sessionDeps(), s.user, s.deviceName ?? null, client, s.now);
  c.get('defer')(deps.detect.loginSuccess(events, { email: s.user.email, userId: s.user.id, client, now: s.now }));
  events.record(s.success.type, {
    userId: s.user.id,
    metadata: { ...s.success.metadata, sessionId: session.sessionId },
  });
  events.record('token_generated', {
    userId: s.user.id,
    tokenId: session.tokenId,
    metadata: { sessionId: session.sessionId },
  });
  return session.response;
}
