import { describe, expect, it } from 'vitest';
import { hashRefreshToken, isWellFormedRefreshToken, newRefreshToken } from './refresh-token';

/** base64url -> bytes, strictly (throws on characters outside the alphabet). */
function decodeBase64Url(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

describe('newRefreshToken', () => {
  it('is 43 base64url characters without padding', () => {
    const token = newRefreshToken();
    expect(token).toHaveLength(43);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token).not.toContain('=');
  });

  it('decodes to exactly 32 bytes (256 bits)', () => {
    for (let i = 0; i < 50; i++) {
      const token = newRefreshToken();
      const bytes = decodeBase64Url(token);
      expect(bytes).toHaveLength(32);
      // Re-encoding the bytes gives the token back: the encoding is canonical (last char carries 4 bits + 2 zero bits).
      const reencoded = btoa(String.fromCharCode(...bytes))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '');
      expect(reencoded).toBe(token);
    }
  });

  it('is well formed by its own check', () => {
    for (let i = 0; i < 100; i++) expect(isWellFormedRefreshToken(newRefreshToken())).toBe(true);
  });

  it('never repeats across 1000 tokens', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newRefreshToken()));
    expect(tokens.size).toBe(1000);
  });

  it('uses the URL-safe alphabet (over many tokens, - and _ appear; + and / never do)', () => {
    const all = Array.from({ length: 1000 }, () => newRefreshToken()).join('');
    expect(all).not.toMatch(/[+/=]/);
    // 43,000 characters drawn near-uniformly from 64: each of - and _ is expected ~670 times.
    expect(all).toContain('-');
    expect(all).toContain('_');
  });
});

describe('isWellFormedRefreshToken', () => {
  const good = 'A'.repeat(21) + '-_' + 'z09'.repeat(6) + 'Q'.repeat(2);

  it('accepts 43 characters of the base64url alphabet', () => {
    expect(good).toHaveLength(43);
    expect(isWellFormedRefreshToken(good)).toBe(true);
  });

  it('refuses 42 and 44 characters', () => {
    expect(isWellFormedRefreshToken(good.slice(1))).toBe(false);
    expect(isWellFormedRefreshToken(good + 'A')).toBe(false);
  });

  it('refuses standard-base64 characters and padding', () => {
    expect(isWellFormedRefreshToken(good.slice(0, 42) + '+')).toBe(false);
    expect(isWellFormedRefreshToken(good.slice(0, 42) + '/')).toBe(false);
    expect(isWellFormedRefreshToken(good.slice(0, 42) + '=')).toBe(false);
  });

  it('refuses whitespace, including a trailing newline, and the empty string', () => {
    expect(isWellFormedRefreshToken(good + '\n')).toBe(false);
    expect(isWellFormedRefreshToken(`${good.slice(0, 42)} `)).toBe(false);
    expect(isWellFormedRefreshToken(` ${good.slice(1)}`)).toBe(false);
    expect(isWellFormedRefreshToken('')).toBe(false);
  });

  it('refuses a JWT or other long token', () => {
    expect(isWellFormedRefreshToken('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl')).toBe(false);
  });
});

describe('hashRefreshToken', () => {
  it("is the lower-case hex SHA-256: 'abc' gives the FIPS 180-2 test vector", async () => {
    expect(await hashRefreshToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('of the empty string gives the known SHA-256 vector', async () => {
    expect(await hashRefreshToken('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('is 64 hex characters, deterministic, and different for different tokens', async () => {
    const token = newRefreshToken();
    const h1 = await hashRefreshToken(token);
    expect(h1).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashRefreshToken(token)).toBe(h1);
    expect(await hashRefreshToken(newRefreshToken())).not.toBe(h1);
  });

  it('does not contain the token itself', async () => {
    const token = newRefreshToken();
    expect(await hashRefreshToken(token)).not.toContain(token);
  });
});
