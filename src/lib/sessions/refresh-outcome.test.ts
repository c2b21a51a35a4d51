import { describe, expect, it } from 'vitest';
import { refreshOutcome, type PresentedTokenState } from './refresh-outcome';

const NOW = new Date('2026-01-01T00:00:00Z');
const REUSE_INTERVAL_MS = 10_000;
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

/** A live, never-rotated token that the statement nevertheless did not rotate (each test changes one thing). */
const state = (over: Partial<PresentedTokenState> = {}): PresentedTokenState => ({
  revokedAt: null,
  rotatedAt: null,
  expiresAt: at(3_600_000),
  lockedUntil: null,
  fromSessionDevice: true,
  issuedNewToken: false,
  ...over,
});

const outcome = (s: PresentedTokenState | undefined) => refreshOutcome(s, NOW, REUSE_INTERVAL_MS);

describe('refreshOutcome', () => {
  it('unknown when no row matched the presented token', () => {
    expect(outcome(undefined)).toBe('unknown');
  });

  it('rotated when the statement issued a new token', () => {
    expect(outcome(state({ issuedNewToken: true }))).toBe('rotated');
  });

  it('rotated when a successor was issued inside the reuse interval (a retry or race of the same client)', () => {
    expect(outcome(state({ issuedNewToken: true, rotatedAt: at(-2_000) }))).toBe('rotated');
  });

  it('revoked for a revoked token', () => {
    expect(outcome(state({ revokedAt: at(-1_000) }))).toBe('revoked');
  });

  it('revoked wins over expired, locked and reused', () => {
    expect(outcome(state({ revokedAt: at(-1_000), expiresAt: at(-5_000) }))).toBe('revoked');
    expect(outcome(state({ revokedAt: at(-1_000), lockedUntil: at(60_000) }))).toBe('revoked');
    expect(outcome(state({ revokedAt: at(-1_000), rotatedAt: at(-60_000) }))).toBe('revoked');
  });

  it('locked while the user is locked', () => {
    expect(outcome(state({ lockedUntil: at(60_000) }))).toBe('locked');
  });

  it('locked wins over expired and reused', () => {
    expect(outcome(state({ lockedUntil: at(60_000), expiresAt: at(-1) }))).toBe('locked');
    expect(outcome(state({ lockedUntil: at(60_000), rotatedAt: at(-60_000) }))).toBe('locked');
  });

  it('not locked once lockedUntil has passed, or is exactly now (the statement allows locked_until <= now)', () => {
    expect(outcome(state({ lockedUntil: at(-1) }))).toBe('unknown');
    expect(outcome(state({ lockedUntil: NOW }))).toBe('unknown');
    expect(outcome(state({ lockedUntil: NOW, expiresAt: at(-1) }))).toBe('expired');
  });

  it('expired once expiresAt has passed, and at exactly now (the statement requires expires_at > now)', () => {
    expect(outcome(state({ expiresAt: at(-1) }))).toBe('expired');
    expect(outcome(state({ expiresAt: NOW }))).toBe('expired');
    expect(outcome(state({ expiresAt: at(1) }))).toBe('unknown');
  });

  it('expired wins over reused', () => {
    expect(outcome(state({ expiresAt: at(-1), rotatedAt: at(-60_000) }))).toBe('expired');
  });

  it('reused when rotated exactly the reuse interval ago (the grace window is half-open)', () => {
    expect(outcome(state({ rotatedAt: at(-10_000) }))).toBe('reused');
  });

  it('reused when rotated longer ago than the reuse interval', () => {
    expect(outcome(state({ rotatedAt: at(-11_000) }))).toBe('reused');
    expect(outcome(state({ rotatedAt: at(-86_400_000) }))).toBe('reused');
  });

  it('unknown (not reused) when rotated 9.999 s ago with a 10 s interval and yet no token was issued', () => {
    // Inside the grace window the rotation statement issues a successor, so issuedNewToken=false here means
    // it refused for a reason this table does not name. The code deliberately answers 'unknown': an
    // invalid token, never a success and never a reuse alarm (which would revoke the whole session).
    expect(outcome(state({ rotatedAt: at(-9_999) }))).toBe('unknown');
  });

  it('uses the interval it is given, not a fixed one', () => {
    const s = state({ rotatedAt: at(-5_000) });
    expect(refreshOutcome(s, NOW, 10_000)).toBe('unknown');
    expect(refreshOutcome(s, NOW, 5_000)).toBe('reused');
    expect(refreshOutcome(s, NOW, 0)).toBe('reused');
  });

  it('unknown for a live, never-rotated token that was not rotated', () => {
    expect(outcome(state())).toBe('unknown');
  });

  it('unknown (not reused) for a rotatedAt in the future (clock skew between app and database)', () => {
    expect(outcome(state({ rotatedAt: at(5_000) }))).toBe('unknown');
  });
});

describe('refreshOutcome: the reuse interval and the device', () => {
  it('is reuse when a just-retired token comes back from another device, inside the interval', () => {
    expect(outcome(state({ rotatedAt: at(-2_000), fromSessionDevice: false }))).toBe('reused');
  });

  it('is not reuse when it comes back from the session device inside the interval without a successor', () => {
    expect(outcome(state({ rotatedAt: at(-2_000), fromSessionDevice: true }))).toBe('unknown');
  });
});

describe('refreshOutcome: a session with another revoked token', () => {
  it('is revoked even when the presented token itself carries no revocation', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const state = {
      revokedAt: null,
      sessionRevoked: true,
      rotatedAt: null,
      expiresAt: new Date(now.getTime() + 60_000),
      lockedUntil: null,
      fromSessionDevice: true,
      issuedNewToken: false,
    };
    expect(refreshOutcome(state, now, 10_000)).toBe('revoked');
  });
});
