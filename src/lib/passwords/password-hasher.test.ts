import { describe, expect, it } from 'vitest';
import { dummiesFor, hashPassword, verifyAgainstDummy, verifyPassword } from './password-hasher';
import * as argon2id from './argon2id-hasher';
import * as scrypt from './scrypt-hasher';

const PASSWORD = 'correct horse battery staple';

describe('password-hasher', () => {
  it('hashes new passwords with Argon2id at the default parameters, which need no rehash', async () => {
    const encoded = await hashPassword(PASSWORD);
    expect(encoded.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(await verifyPassword(PASSWORD, encoded)).toEqual({ valid: true, needsRehash: false });
    expect(await verifyPassword('wrong password!', encoded)).toEqual({ valid: false, needsRehash: false });
  });

  it('verifies a scrypt hash at today’s scrypt parameters, and asks for a rehash', async () => {
    const encoded = await scrypt.hashPassword(PASSWORD);
    expect(encoded.startsWith('scrypt$16384$8$5$')).toBe(true);
    expect(await verifyPassword(PASSWORD, encoded)).toEqual({ valid: true, needsRehash: true });
  });

  it('verifies a weaker scrypt hash and asks for a rehash; a wrong password is refused without one', async () => {
    const encoded = await scrypt.hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 });
    expect(await verifyPassword(PASSWORD, encoded)).toEqual({ valid: true, needsRehash: true });
    expect(await verifyPassword('wrong password!', encoded)).toEqual({ valid: false, needsRehash: false });
  });

  it('asks for a rehash of an Argon2id hash with other parameters', async () => {
    const encoded = await argon2id.hashPassword(PASSWORD, { m: 256, t: 2, p: 1 });
    expect(await verifyPassword(PASSWORD, encoded)).toEqual({ valid: true, needsRehash: true });
  });

  it('refuses an unknown scheme or garbage without throwing', async () => {
    for (const encoded of ['', 'bcrypt$2b$10$abc', '$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$AAAA', 'scrypt$', '$']) {
      expect(await verifyPassword(PASSWORD, encoded)).toEqual({ valid: false, needsRehash: false });
    }
  });

  it('verifyAgainstDummy resolves for any password, with scrypt hashes remaining or not', async () => {
    await expect(verifyAgainstDummy(PASSWORD)).resolves.toBeUndefined();
    await expect(verifyAgainstDummy(PASSWORD, { scryptHashesRemain: true })).resolves.toBeUndefined();
  });

  it('makes every check cost one verification of each scheme while scrypt hashes remain, one Argon2id after', () => {
    // What each check spends, the stored hash's own verification included: the same for all three.
    const spent = (stored: 'argon2id' | 'scrypt' | 'none', remain: boolean) => {
      const dummies = dummiesFor(stored, remain);
      return {
        argon2id: Number(dummies.argon2id) + Number(stored === 'argon2id'),
        scrypt: Number(dummies.scrypt) + Number(stored === 'scrypt'),
      };
    };
    for (const stored of ['argon2id', 'scrypt', 'none'] as const)
      expect(spent(stored, true), stored).toEqual({ argon2id: 1, scrypt: 1 });
    for (const stored of ['argon2id', 'none'] as const)
      expect(spent(stored, false), stored).toEqual({ argon2id: 1, scrypt: 0 });
  });

  it('still verifies both schemes with the padding on', async () => {
    const modern = await hashPassword(PASSWORD);
    const old = await scrypt.hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 });
    const remain = { scryptHashesRemain: true };
    expect(await verifyPassword(PASSWORD, modern, remain)).toEqual({ valid: true, needsRehash: false });
    expect(await verifyPassword(PASSWORD, old, remain)).toEqual({ valid: true, needsRehash: true });
    expect(await verifyPassword('wrong password!', modern, remain)).toEqual({ valid: false, needsRehash: false });
  });
});
