import { describe, expect, it } from 'vitest';
import {
  ARGON2ID_LIMITS,
  DEFAULT_ARGON2ID_PARAMS,
  DEFAULT_DUMMY_HASH,
  hashPassword,
  verifyAgainstDummy,
  verifyPassword,
  type Argon2idParams,
} from './argon2id-hasher';

/** Cheap parameters (256 KiB, a millisecond) so the suite stays fast; production uses DEFAULT_ARGON2ID_PARAMS. */
const FAST: Argon2idParams = { m: 256, t: 2, p: 1 };
const PASSWORD = 'correct horse battery staple';

/**
 * Argon2id v1.3 known answers of the reference implementation (P-H-C/phc-winner-argon2, src/test.c):
 * password "password", salt "somesalt". (RFC 9106's vector uses a secret and associated data, which the
 * wasm's argon2_hash does not take.)
 */
const VECTORS = [
  '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc',
  '$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4',
  '$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc',
];

describe('argon2id: reference vectors', () => {
  it('verifies the reference implementation’s hashes of "password", and refuses another password', async () => {
    for (const vector of VECTORS) {
      expect((await verifyPassword('password', vector)).valid, vector).toBe(true);
      expect((await verifyPassword('Password', vector)).valid, vector).toBe(false);
    }
  });

  it('refuses a vector whose hash is changed by one character', async () => {
    const tampered = VECTORS[1]!.replace('nf65', 'nf66');
    expect(await verifyPassword('password', tampered)).toEqual({ valid: false, needsRehash: false });
  });
});

describe('argon2id: hashPassword / verifyPassword', () => {
  it('round-trips with the default parameters, in the PHC string format', async () => {
    const encoded = await hashPassword(PASSWORD);
    expect(encoded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    const [, , , , salt, hash] = encoded.split('$');
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64')).toHaveLength(32);
    expect(await verifyPassword(PASSWORD, encoded)).toEqual({ valid: true, needsRehash: false });
  });

  it('refuses a wrong password, including one differing only in case or a trailing space', async () => {
    const encoded = await hashPassword(PASSWORD, FAST);
    for (const wrong of ['correct horse battery stapl', 'Correct horse battery staple', `${PASSWORD} `, '']) {
      expect(await verifyPassword(wrong, encoded, FAST)).toEqual({ valid: false, needsRehash: false });
    }
  });

  it('salts: two hashes of the same password differ, and both verify', async () => {
    const a = await hashPassword(PASSWORD, FAST);
    const b = await hashPassword(PASSWORD, FAST);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
    expect((await verifyPassword(PASSWORD, a, FAST)).valid).toBe(true);
    expect((await verifyPassword(PASSWORD, b, FAST)).valid).toBe(true);
  });

  it('hashes every UTF-8 byte: non-ASCII passwords that share a UTF-16 length are told apart', async () => {
    const encoded = await hashPassword('pässwörd1', FAST);
    expect((await verifyPassword('pässwörd1', encoded, FAST)).valid).toBe(true);
    expect((await verifyPassword('pässwörd2', encoded, FAST)).valid).toBe(false);
    const emoji = await hashPassword('\u{1F600}\u{1F601}\u{1F602}\u{1F603}', FAST);
    expect((await verifyPassword('\u{1F600}\u{1F601}\u{1F602}\u{1F604}', emoji, FAST)).valid).toBe(false);
  });

  it('normalizes to NFKC: composed and decomposed forms, and full-width letters, are one password', async () => {
    const encoded = await hashPassword('caf\u00e9 password', FAST);
    expect((await verifyPassword('cafe\u0301 password', encoded, FAST)).valid).toBe(true);
    const wide = await hashPassword('ｐａｓｓｗｏｒｄ', FAST);
    expect((await verifyPassword('password', wide, FAST)).valid).toBe(true);
  });

  it('derives with the parameters stored in the hash: changing them in the string breaks verification', async () => {
    const encoded = await hashPassword(PASSWORD, FAST);
    expect((await verifyPassword(PASSWORD, encoded.replace('m=256,', 'm=512,'), FAST)).valid).toBe(false);
    expect((await verifyPassword(PASSWORD, encoded.replace('t=2,', 't=3,'), FAST)).valid).toBe(false);
  });

  it('refuses to hash with parameters outside the limits', async () => {
    await expect(hashPassword(PASSWORD, { m: ARGON2ID_LIMITS.maxM + 1, t: 2, p: 1 })).rejects.toThrow();
    await expect(hashPassword(PASSWORD, { m: 256, t: 0, p: 1 })).rejects.toThrow();
  });
});

describe('argon2id: needsRehash', () => {
  it('is true for a right password stored with other parameters, false for a wrong one', async () => {
    const encoded = await hashPassword(PASSWORD, FAST);
    expect(await verifyPassword(PASSWORD, encoded)).toEqual({ valid: true, needsRehash: true });
    expect(await verifyPassword('wrong password!', encoded)).toEqual({ valid: false, needsRehash: false });
  });
});

describe('argon2id: malformed or absurd stored hashes', () => {
  const good = '$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4';
  const cases: Record<string, string> = {
    empty: '',
    'another variant': good.replace('argon2id', 'argon2i'),
    'version 1.0': good.replace('v=19', 'v=16'),
    'no version': good.replace('$v=19', ''),
    'memory past the cap (a poisoned hash)': good.replace('m=256', `m=${ARGON2ID_LIMITS.maxM + 1}`),
    'huge memory': good.replace('m=256', 'm=4294967295'),
    'too many passes': good.replace('t=2', `t=${ARGON2ID_LIMITS.maxT + 1}`),
    'no lanes': good.replace('p=1', 'p=0'),
    'too many lanes': good.replace('p=1', `p=${ARGON2ID_LIMITS.maxP + 1}`),
    'less than 8 KiB per lane': good.replace('m=256,t=2,p=1', 'm=16,t=2,p=4'),
    'a leading zero': good.replace('m=256', 'm=0256'),
    'parameters reordered': good.replace('m=256,t=2,p=1', 't=2,m=256,p=1'),
    'an extra parameter': good.replace('p=1', 'p=1,x=1'),
    'padded base64': `${good}=`,
    'not base64': good.replace('nf65', 'nf6!'),
    'a salt too short': good.replace('c29tZXNhbHQ', 'c29tZQ'),
    'no hash': good.replace(/\$[^$]+$/, '$'),
    'a hash too short': good.replace(/\$[^$]+$/, '$AAAAAAAAAAA'),
    'a trailing field': `${good}$x`,
    'a scrypt hash': 'scrypt$1024$8$1$c29tZXNhbHQ=$AAAA',
  };
  for (const [name, encoded] of Object.entries(cases)) {
    it(`refuses ${name} without throwing`, async () => {
      expect(await verifyPassword('password', encoded)).toEqual({ valid: false, needsRehash: false });
    });
  }

  it('still verifies after refusing them (the module is left usable)', async () => {
    expect((await verifyPassword('password', good)).valid).toBe(true);
  });
});

describe('argon2id: verifyAgainstDummy', () => {
  it('the dummy hash is made with the default parameters', async () => {
    const p = DEFAULT_ARGON2ID_PARAMS;
    expect(DEFAULT_DUMMY_HASH).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(DEFAULT_DUMMY_HASH.startsWith(`$argon2id$v=19$m=${p.m},t=${p.t},p=${p.p}$`)).toBe(true);
    expect(await verifyPassword('dummy-password-for-timing', DEFAULT_DUMMY_HASH)).toEqual({
      valid: false,
      needsRehash: false,
    });
  });

  it('resolves without error for any password', async () => {
    await expect(verifyAgainstDummy(PASSWORD)).resolves.toBeUndefined();
  });
});
