/**
 * What a refresh attempt amounts to, decided from the token row the rotation statement saw. Pure:
 * no clock, no I/O. The same rules are written as the rotation statement's WHERE clause (the
 * database applies them atomically); this function names the outcome when no new token came back.
 */
export interface PresentedTokenState {
  revokedAt: Date | null;
  /** Another token of the session is revoked: the session is over, this token included (see caller-state). */
  sessionRevoked?: boolean;
  rotatedAt: Date | null;
  expiresAt: Date;
  lockedUntil: Date | null;
  /** Presented from the device the session belongs to (its fingerprint). */
  fromSessionDevice: boolean;
  issuedNewToken: boolean;
}

export type RefreshOutcome =
  | 'rotated'
  | 'unknown'
  | 'revoked'
  | 'expired'
  | 'locked'
  /**
   * A retired token came back after the reuse interval, or within it from another device: a copy is in
   * someone else's hands (a client's retry or race comes from its own device, within the interval).
   */
  | 'reused';

export function refreshOutcome(
  state: PresentedTokenState | undefined,
  now: Date,
  reuseIntervalMs: number,
): RefreshOutcome {
  if (!state) return 'unknown';
  if (state.issuedNewToken) return 'rotated';
  if (state.revokedAt || state.sessionRevoked) return 'revoked';
  if (state.lockedUntil && state.lockedUntil > now) return 'locked';
  if (state.expiresAt <= now) return 'expired';
  if (state.rotatedAt && (now.getTime() - state.rotatedAt.getTime() >= reuseIntervalMs || !state.fromSessionDevice))
    return 'reused';
  // The statement refused for a reason the rules above do not name: treat it as invalid, never as success.
  return 'unknown';
}
