import { describe, expect, it } from 'vitest';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './password-hasher';
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

  it('verifyAgainstDummy resolves for any password', async () => {
    await expect(verifyAgainstDummy(PASSWORD)).resolves.toBeUndefined();
  });
});
