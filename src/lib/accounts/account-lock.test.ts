import { describe, expect, it } from 'vitest';
import { ADMIN_LOCK, BRUTE_FORCE_LOCK, lockRefuses } from './account-lock';

const now = new Date('2026-12-02T10:00:00Z');
const later = new Date('2026-12-02T10:30:00Z');

describe('lockRefuses', () => {
  it('refuses nothing when the account is not locked, or its lock has run out', () => {
    for (const lockedUntil of [null, now, new Date('2026-12-02T09:00:00Z')]) {
      for (const access of ['password', 'google', 'session'] as const) {
        expect(lockRefuses({ lockedUntil, lockReason: 'admin_lock' }, access, now)).toBe(false);
      }
    }
  });

  it('the automatic brute-force lock refuses password logins only', () => {
    const user = { lockedUntil: later, lockReason: BRUTE_FORCE_LOCK };
    expect(lockRefuses(user, 'password', now)).toBe(true);
    expect(lockRefuses(user, 'google', now)).toBe(false);
    expect(lockRefuses(user, 'session', now)).toBe(false);
  });

  it("the automatic brute-force lock lets the account's known devices log in with a password", () => {
    const user = { lockedUntil: later, lockReason: BRUTE_FORCE_LOCK };
    expect(lockRefuses(user, 'password', now, { known: true })).toBe(false);
    expect(lockRefuses(user, 'password', now, { known: false })).toBe(true);
    // An operator's lock is not an attack from elsewhere: a known device does not pass it.
    expect(lockRefuses({ lockedUntil: later, lockReason: ADMIN_LOCK }, 'password', now, { known: true })).toBe(true);
  });

  it("an operator's lock refuses sign-ins, by password or Google, and leaves open sessions alone", () => {
    const user = { lockedUntil: later, lockReason: ADMIN_LOCK };
    expect(lockRefuses(user, 'password', now)).toBe(true);
    expect(lockRefuses(user, 'google', now)).toBe(true);
    expect(lockRefuses(user, 'session', now)).toBe(false);
  });

  it('any other lock refuses everything', () => {
    for (const lockReason of ['manual', null]) {
      for (const access of ['password', 'google', 'session'] as const) {
        expect(lockRefuses({ lockedUntil: later, lockReason }, access, now)).toBe(true);
      }
    }
  });
});
