import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORDS } from './common-passwords';
import { PASSWORD_MAX, PASSWORD_MIN, codePointLength, passwordProblem } from './password-policy';

const EMOJI = '\u{1F600}'; // one code point, two UTF-16 code units
const TOO_SHORT = `must be at least ${PASSWORD_MIN} characters`;
const TOO_LONG = `must be at most ${PASSWORD_MAX} characters`;
const TOO_COMMON = 'is too common; choose another';

describe('password policy limits', () => {
  it('is 8 to 128 code points', () => {
    expect(PASSWORD_MIN).toBe(8);
    expect(PASSWORD_MAX).toBe(128);
  });
});

describe('codePointLength', () => {
  it('counts an astral emoji as one, where String.length counts two', () => {
    expect(EMOJI.length).toBe(2);
    expect(codePointLength(EMOJI)).toBe(1);
    expect(codePointLength(`ab${EMOJI}cd`)).toBe(5);
  });
});

describe('passwordProblem: minimum length', () => {
  it('refuses 7 code points', () => {
    expect(passwordProblem('qzv7kxw')).toBe(TOO_SHORT);
  });

  it('accepts 8 code points', () => {
    expect(passwordProblem('qzv7kxwm')).toBeUndefined();
  });

  it('refuses the empty password', () => {
    expect(passwordProblem('')).toBe(TOO_SHORT);
  });

  it('accepts 8 emoji although their UTF-16 length is 16', () => {
    const eight = EMOJI.repeat(8);
    expect(eight.length).toBe(16);
    expect(passwordProblem(eight)).toBeUndefined();
  });

  it('refuses 7 emoji although their UTF-16 length (14) is above the minimum', () => {
    const seven = EMOJI.repeat(7);
    expect(seven.length).toBe(14);
    expect(passwordProblem(seven)).toBe(TOO_SHORT);
  });
});

describe('passwordProblem: maximum length', () => {
  it('accepts 128 code points', () => {
    expect(passwordProblem('k'.repeat(127) + 'z')).toBeUndefined();
  });

  it('refuses 129 code points', () => {
    expect(passwordProblem('k'.repeat(128) + 'z')).toBe(TOO_LONG);
  });

  it('accepts 128 emoji although their UTF-16 length is 256', () => {
    const s = EMOJI.repeat(128);
    expect(s.length).toBe(256);
    expect(passwordProblem(s)).toBeUndefined();
  });

  it('accepts 64 emoji + 64 letters (128 code points, UTF-16 length 192)', () => {
    const s = EMOJI.repeat(64) + 'k'.repeat(64);
    expect(s.length).toBe(192);
    expect(codePointLength(s)).toBe(128);
    expect(passwordProblem(s)).toBeUndefined();
  });

  it('refuses 65 emoji + 64 letters (129 code points)', () => {
    const s = EMOJI.repeat(65) + 'k'.repeat(64);
    expect(codePointLength(s)).toBe(129);
    expect(passwordProblem(s)).toBe(TOO_LONG);
  });
});

describe('passwordProblem: common passwords', () => {
  it('refuses a listed password', () => {
    expect(COMMON_PASSWORDS.has('password')).toBe(true);
    expect(passwordProblem('password')).toBe(TOO_COMMON);
    expect(passwordProblem('iloveyou')).toBe(TOO_COMMON);
  });

  it('refuses a listed password whatever its case', () => {
    expect(passwordProblem('PASSWORD')).toBe(TOO_COMMON);
    expect(passwordProblem('PassWord')).toBe(TOO_COMMON);
    expect(passwordProblem('ILoveYou1')).toBe(TOO_COMMON);
  });

  it('accepts a near miss that is not on the list', () => {
    expect(COMMON_PASSWORDS.has('password!x')).toBe(false);
    expect(passwordProblem('password!x')).toBeUndefined();
  });

  it('holds only lower-case entries of at least the minimum length (else the case-insensitive check or the list is useless)', () => {
    for (const entry of COMMON_PASSWORDS) {
      expect(entry).toBe(entry.toLowerCase());
      expect(codePointLength(entry)).toBeGreaterThanOrEqual(PASSWORD_MIN);
    }
  });

  it('reports length before commonness', () => {
    expect(passwordProblem('passwor')).toBe(TOO_SHORT);
  });
});
