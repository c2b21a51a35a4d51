import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCRYPT_PARAMS,
  WORKERS_SCRYPT_MAX_COST,
  fitsWorkersLimits,
  hashPassword,
  verifyAgainstDummy,
  verifyPassword,
  type ScryptParams,
} from './scrypt-hasher';

/** Cheap parameters (about 1 MiB, a few ms) so the suite stays fast; production uses DEFAULT_SCRYPT_PARAMS. */
const FAST: ScryptParams = { N: 1024, r: 8, p: 1 };

const cost = (p: ScryptParams) => p.N * p.r * p.p;

describe('hashPassword / verifyPassword', () => {
  it('round-trips: the hash of a password verifies with that password', async () => {
    const encoded = await hashPassword('correct horse battery staple', FAST);
    expect(await verifyPassword('correct horse battery staple', encoded, FAST)).toEqual({
      valid: true,
      needsRehash: false,
    });
  });

  it('refuses a wrong password, including one differing only in case or a trailing space', async () => {
    const encoded = await hashPassword('correct horse battery staple', FAST);
    for (const wrong of [
      'correct horse battery stapl',
      'Correct horse battery staple',
      'correct horse battery staple ',
      '',
    ]) {
      expect(await verifyPassword(wrong, encoded, FAST)).toEqual({ valid: false, needsRehash: false });
    }
  });

  it('encodes as scrypt$N$r$p$salt$hash with a 16-byte salt and a 32-byte key', async () => {
    const encoded = await hashPassword('correct horse battery staple', FAST);
    const parts = encoded.split('$');
    expect(parts).toHaveLength(6);
    const [scheme, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
    expect([scheme, n, r, p]).toEqual(['scrypt', '1024', '8', '1']);
    expect(salt).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(hash).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(hash, 'base64')).toHaveLength(32);
  });

  it('salts: two hashes of the same password differ in salt and key, and both verify', async () => {
    const a = await hashPassword('correct horse battery staple', FAST);
    const b = await hashPassword('correct horse battery staple', FAST);
    expect(a).not.toBe(b);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
    expect(a.split('$')[5]).not.toBe(b.split('$')[5]);
    expect((await verifyPassword('correct horse battery staple', a, FAST)).valid).toBe(true);
    expect((await verifyPassword('correct horse battery staple', b, FAST)).valid).toBe(true);
  });

  it('derives with the parameters stored in the hash: changing them in the string breaks verification', async () => {
    const encoded = await hashPassword('correct horse battery staple', FAST);
    const tampered = encoded.replace('scrypt$1024$8$1$', 'scrypt$2048$8$1$');
    expect((await verifyPassword('correct horse battery staple', tampered, FAST)).valid).toBe(false);
  });

  it('hashes with DEFAULT_SCRYPT_PARAMS when none are given (and verifies in workerd)', async () => {
    const encoded = await hashPassword('correct horse battery staple');
    expect(
      encoded.startsWith(`scrypt$${DEFAULT_SCRYPT_PARAMS.N}$${DEFAULT_SCRYPT_PARAMS.r}$${DEFAULT_SCRYPT_PARAMS.p}$`),
    ).toBe(true);
    expect(await verifyPassword('correct horse battery staple', encoded)).toEqual({ valid: true, needsRehash: false });
  });
});

describe('needsRehash', () => {
  it('is true when the stored parameters differ from the current ones (and the password is right)', async () => {
    const encoded = await hashPassword('correct horse battery staple', FAST);
    // Derivation uses the stored (cheap) parameters; DEFAULT is only compared against.
    expect(await verifyPassword('correct horse battery staple', encoded, DEFAULT_SCRYPT_PARAMS)).toEqual({
      valid: true,
      needsRehash: true,
    });
  });

  it('is true when only one of N, r or p differs', async () => {
    const encoded = await hashPassword('correct horse battery staple', FAST);
    for (const current of [
      { ...FAST, N: 2048 },
      { ...FAST, r: 16 },
      { ...FAST, p: 2 },
    ]) {
      expect((await verifyPassword('correct horse battery staple', encoded, current)).needsRehash).toBe(true);
    }
  });

  it('is false when the stored parameters equal the current ones', async () => {
    const encoded = await hashPassword('correct horse battery staple', FAST);
    expect((await verifyPassword('correct horse battery staple', encoded, { N: 1024, r: 8, p: 1 })).needsRehash).toBe(
      false,
    );
  });

  it('is false for a wrong password even when the parameters are outdated (no rehash of an unverified password)', async () => {
    const encoded = await hashPassword('correct horse battery staple', FAST);
    expect(await verifyPassword('wrong password', encoded, DEFAULT_SCRYPT_PARAMS)).toEqual({
      valid: false,
      needsRehash: false,
    });
  });
});

describe('malformed encoded hashes', () => {
  it.each([
    ['empty string', ''],
    ['another scheme', 'bcrypt$1024$8$1$c2FsdA==$aGFzaA=='],
    ['plain text', 'correct horse battery staple'],
    ['too few fields', 'scrypt$1024$8$1$c2FsdA=='],
    ['empty salt', 'scrypt$1024$8$1$$aGFzaA=='],
    ['empty hash', 'scrypt$1024$8$1$c2FsdA==$'],
    ['non-numeric N', 'scrypt$abc$8$1$c2FsdA==$aGFzaA=='],
    ['zero N', 'scrypt$0$8$1$c2FsdA==$aGFzaA=='],
    ['negative r', 'scrypt$1024$-8$1$c2FsdA==$aGFzaA=='],
    ['fractional p', 'scrypt$1024$8$1.5$c2FsdA==$aGFzaA=='],
    ['missing p', 'scrypt$1024$8$$c2FsdA==$aGFzaA=='],
  ])('%s verifies false without throwing', async (_label, encoded) => {
    await expect(verifyPassword('correct horse battery staple', encoded, FAST)).resolves.toEqual({
      valid: false,
      needsRehash: false,
    });
  });

  it('a hash field of the wrong length (truncated) verifies false without throwing', async () => {
    const encoded = await hashPassword('correct horse battery staple', FAST);
    const truncated = encoded.slice(0, encoded.lastIndexOf('$') + 1) + Buffer.alloc(16).toString('base64');
    await expect(verifyPassword('correct horse battery staple', truncated, FAST)).resolves.toEqual({
      valid: false,
      needsRehash: false,
    });
  });

  it('garbage base64 in salt and hash verifies false without throwing', async () => {
    await expect(verifyPassword('x', 'scrypt$1024$8$1$!!!!$!!!!', FAST)).resolves.toEqual({
      valid: false,
      needsRehash: false,
    });
  });
});

describe('unicode normalisation (NFKC before derivation)', () => {
  it("treats the 'ﬁ' ligature (U+FB01) and the two letters 'fi' as the same password", async () => {
    const ligature = 'pro\uFB01le-secret';
    const letters = 'profile-secret';
    expect(ligature).not.toBe(letters);
    const encoded = await hashPassword(ligature, FAST);
    expect((await verifyPassword(letters, encoded, FAST)).valid).toBe(true);
    const reverse = await hashPassword(letters, FAST);
    expect((await verifyPassword(ligature, reverse, FAST)).valid).toBe(true);
  });

  it('treats precomposed and decomposed accents (é vs e + U+0301) as the same password', async () => {
    const encoded = await hashPassword('caf\u00e9-au-lait', FAST);
    expect((await verifyPassword('cafe\u0301-au-lait', encoded, FAST)).valid).toBe(true);
  });

  it('still distinguishes genuinely different letters (é vs e)', async () => {
    const encoded = await hashPassword('caf\u00e9-au-lait', FAST);
    expect((await verifyPassword('cafe-au-lait', encoded, FAST)).valid).toBe(false);
  });
});

describe('production Workers limits', () => {
  it('DEFAULT_SCRYPT_PARAMS fit production Workers: N*r*p <= 2^20 and N a power of two', () => {
    expect(WORKERS_SCRYPT_MAX_COST).toBe(2 ** 20);
    expect(cost(DEFAULT_SCRYPT_PARAMS)).toBeLessThanOrEqual(2 ** 20);
    expect(Number.isInteger(Math.log2(DEFAULT_SCRYPT_PARAMS.N))).toBe(true);
    expect(fitsWorkersLimits(DEFAULT_SCRYPT_PARAMS)).toBe(true);
  });

  it("DEFAULT_SCRYPT_PARAMS are at or above OWASP's minimum (N=2^14, r=8, p=5: N>=2^14, r>=8, N*r*p >= 655,360)", () => {
    expect(DEFAULT_SCRYPT_PARAMS.N).toBeGreaterThanOrEqual(2 ** 14);
    expect(DEFAULT_SCRYPT_PARAMS.r).toBeGreaterThanOrEqual(8);
    expect(cost(DEFAULT_SCRYPT_PARAMS)).toBeGreaterThanOrEqual(2 ** 14 * 8 * 5);
    expect(2 ** 14 * 8 * 5).toBe(655_360);
  });

  it('reports a set above 2^20 as not fitting, and one at exactly 2^20 as fitting (the limit is inclusive)', () => {
    // N=2^17, r=8, p=1 costs 2^17 * 8 = 2^20 exactly: the code (`<=`, "refuse when N*r*p exceeds") lets it
    // through. One step further in any parameter does not fit.
    expect(cost({ N: 2 ** 17, r: 8, p: 1 })).toBe(2 ** 20);
    expect(fitsWorkersLimits({ N: 2 ** 17, r: 8, p: 1 })).toBe(true);
    expect(fitsWorkersLimits({ N: 2 ** 17, r: 8, p: 2 })).toBe(false);
    expect(fitsWorkersLimits({ N: 2 ** 18, r: 8, p: 1 })).toBe(false);
    expect(fitsWorkersLimits({ N: 2 ** 14, r: 8, p: 9 })).toBe(false);
  });

  it('reports an N that is not a power of two (or <= 1) as not fitting', () => {
    expect(fitsWorkersLimits({ N: 1000, r: 8, p: 1 })).toBe(false);
    expect(fitsWorkersLimits({ N: 1, r: 8, p: 1 })).toBe(false);
    expect(fitsWorkersLimits({ N: 0, r: 8, p: 1 })).toBe(false);
  });
});

describe('verifyAgainstDummy', () => {
  it('resolves to undefined for any password (spends the work, reveals nothing)', async () => {
    await expect(verifyAgainstDummy('whatever-the-attacker-typed', FAST)).resolves.toBeUndefined();
    await expect(verifyAgainstDummy('dummy-password-for-timing', FAST)).resolves.toBeUndefined();
  });
});
