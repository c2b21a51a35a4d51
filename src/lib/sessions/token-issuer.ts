/**
 * Starting and refreshing sessions: the refresh-token row(s) plus a signed access token, shaped as
 * the contract's token response. Storage goes through session-store; decisions through refresh-outcome.
 */
import type { Database } from '../storage/database';
import type { ClientContext } from '../client/client-context';
import type { KeySet } from '../tokens/signing-keys';
import { signAccessToken } from '../tokens/access-token';
import type { PublicUser } from '../accounts/user-store';
import { hashRefreshToken, isWellFormedRefreshToken, newRefreshToken } from '../tokens/refresh-token';
import { createSession, revokeSession, rotateRefreshToken, type RotationResult } from './session-store';
import { refreshOutcome, type RefreshOutcome } from './refresh-outcome';

export interface TokenSettings {
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  sessionMaxAgeSeconds: number;
  reuseIntervalSeconds: number;
  /**
   * The window a rotation counts its session's refreshes in (detection's `rapidRefresh.windowSeconds`):
   * the count comes back with the rotation, so rapid refresh detection costs no round trip.
   */
  refreshCountWindowSeconds: number;
}

export interface SessionDeps {
  db: Database;
  keys: KeySet;
  settings: TokenSettings;
}

/** Who a session is for: the user's public fields (one type for every flow). */
export type SessionUser = PublicUser;

export interface TokenResponse {
  token: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
  user: SessionUser;
}

const addSeconds = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

/** An access token's lifetime: the configured TTL, cut short so it never outlives its session. */
export function accessTtlWithin(sessionExpiresAt: Date, now: Date, accessTtlSeconds: number): number {
  const secondsLeft = Math.floor((sessionExpiresAt.getTime() - now.getTime()) / 1000);
  return Math.max(1, Math.min(accessTtlSeconds, secondsLeft));
}

async function tokenResponse(
  deps: SessionDeps,
  user: SessionUser,
  session: { id: string; expiresAt: Date },
  refreshToken: string,
  now: Date,
): Promise<TokenResponse> {
  const { token, expiresIn } = await signAccessToken(
    { userId: user.id, sessionId: session.id, role: user.role },
    deps.keys.signing,
    { issuer: deps.settings.issuer, audience: deps.settings.audience },
    now,
    accessTtlWithin(session.expiresAt, now, deps.settings.accessTtlSeconds),
  );
  return {
    token,
    accessToken: token,
    refreshToken,
    expiresIn,
    tokenType: 'Bearer',
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
  };
}

export async function startSession(
  deps: SessionDeps,
  user: SessionUser,
  deviceName: string | null,
  client: ClientContext,
  now: Date,
) {
  const refreshToken = newRefreshToken();
  const sessionExpiresAt = addSeconds(now, deps.settings.sessionMaxAgeSeconds);
  const refreshExpiry = addSeconds(now, deps.settings.refreshTtlSeconds);
  const { sessionId, tokenId } = await createSession(deps.db, {
    userId: user.id,
    tokenHash: await hashRefreshToken(refreshToken),
    deviceName,
    client,
    now,
    expiresAt: refreshExpiry < sessionExpiresAt ? refreshExpiry : sessionExpiresAt,
    sessionExpiresAt,
  });
  return {
    response: await tokenResponse(deps, user, { id: sessionId, expiresAt: sessionExpiresAt }, refreshToken, now),
    sessionId,
    tokenId,
  };
}

export type RefreshResult =
  | { outcome: 'rotated'; response: TokenResponse; rotation: RotationResult }
  | { outcome: Exclude<RefreshOutcome, 'rotated'>; rotation: RotationResult | undefined };

export async function refreshSession(
  deps: SessionDeps,
  presented: string,
  client: ClientContext,
  now: Date,
): Promise<RefreshResult> {
  if (!isWellFormedRefreshToken(presented)) return { outcome: 'unknown', rotation: undefined };
  const refreshToken = newRefreshToken();
  const rotation = await rotateRefreshToken(deps.db, {
    presentedHash: await hashRefreshToken(presented),
    newHash: await hashRefreshToken(refreshToken),
    client,
    now,
    newExpiresAt: addSeconds(now, deps.settings.refreshTtlSeconds),
    reuseIntervalSeconds: deps.settings.reuseIntervalSeconds,
    refreshCountWindowSeconds: deps.settings.refreshCountWindowSeconds,
  });
  const outcome = refreshOutcome(rotation, now, deps.settings.reuseIntervalSeconds * 1000);
  if (outcome === 'rotated' && rotation) {
    return {
      outcome,
      rotation,
      response: await tokenResponse(
        deps,
        rotation.user,
        { id: rotation.sessionId, expiresAt: rotation.sessionExpiresAt },
        refreshToken,
        now,
      ),
    };
  }
  if (outcome === 'reused' && rotation) {
    // RFC 9700 4.14.2: a replayed refresh token means one copy is stolen; end the whole family.
    // Its access tokens die with it: every Bearer route checks the session is live.
    await revokeSession(deps.db, rotation.sessionId, 'refresh_token_reuse', now);
  }
  return { outcome: outcome === 'rotated' ? 'unknown' : outcome, rotation };
}
