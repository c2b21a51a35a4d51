import { describe, expect, it } from 'vitest';
import { mergeDevVars, quoteDevVar, readDevVar } from './dev-vars-file.ts';

const owned = {
  DATABASE_URL: 'postgres://postgres:pw@127.0.0.1:15432/auth',
  UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:15480',
  NEON_FETCH_ENDPOINT: 'http://127.0.0.1:15481/sql',
};

describe('mergeDevVars', () => {
  it('rewrites only the owned values, in place, and appends the owned keys the file lacks', () => {
    const mine = [
      '# my settings',
      "GOOGLE_CLIENT_ID='123-abc.apps.googleusercontent.com'",
      '',
      "DATABASE_URL='postgres://old@127.0.0.1:5432/auth'",
      'SENTRY_DSN=https://key@sentry.example/1   # staging project',
      `SECURITY_CONFIG='{"rateLimits":{"login":{"limit":50}}}'`,
      'export UPSTASH_REDIS_REST_URL="http://127.0.0.1:1" # old port',
      'MY_OWN_FLAG=on',
      '',
    ].join('\n');
    expect(mergeDevVars(mine, { owned })).toBe(
      [
        '# my settings',
        "GOOGLE_CLIENT_ID='123-abc.apps.googleusercontent.com'",
        '',
        "DATABASE_URL='postgres://postgres:pw@127.0.0.1:15432/auth'",
        'SENTRY_DSN=https://key@sentry.example/1   # staging project',
        `SECURITY_CONFIG='{"rateLimits":{"login":{"limit":50}}}'`,
        "export UPSTASH_REDIS_REST_URL='http://127.0.0.1:15480' # old port",
        'MY_OWN_FLAG=on',
        "NEON_FETCH_ENDPOINT='http://127.0.0.1:15481/sql'",
        '',
      ].join('\n'),
    );
  });

  it('changes nothing on a second run, and keeps the spelling of an owned value that is already right', () => {
    const once = mergeDevVars('DATABASE_URL=postgres://postgres:pw@127.0.0.1:15432/auth\nX=1', { owned });
    expect(once.startsWith('DATABASE_URL=postgres://postgres:pw@127.0.0.1:15432/auth\nX=1\n')).toBe(true);
    expect(mergeDevVars(once, { owned })).toBe(once);
  });

  it('rewrites every assignment of an owned key, so no stale one can win (dotenv keeps the last)', () => {
    const merged = mergeDevVars("DATABASE_URL='a'\nX=1\nDATABASE_URL=b\n", { owned: { DATABASE_URL: 'c' } });
    expect(merged).toBe("DATABASE_URL='c'\nX=1\nDATABASE_URL='c'\n");
  });

  it('writes a default only when the key is absent', () => {
    const merged = mergeDevVars("ENVIRONMENT='test'\n", {
      owned: {},
      defaults: { ENVIRONMENT: 'development', JWT_ISSUER: 'http://127.0.0.1:8787' },
    });
    expect(merged).toBe("ENVIRONMENT='test'\nJWT_ISSUER='http://127.0.0.1:8787'\n");
  });

  it('fills an empty assignment of an owned key', () => {
    expect(mergeDevVars('JWT_PRIVATE_JWK=\nX=1\n', { owned: { JWT_PRIVATE_JWK: '{"kid":"k"}' } })).toBe(
      `JWT_PRIVATE_JWK='{"kid":"k"}'\nX=1\n`,
    );
  });

  it('starts a new file with the header', () => {
    expect(mergeDevVars('', { owned: { A: '1' }, header: '# local only' })).toBe("# local only\nA='1'\n");
  });

  it('leaves a multi-line quoted value alone, even a line inside it that looks like an owned key', () => {
    const mine = 'NOTE="first line\nDATABASE_URL=inside the note\nlast line"\n';
    const merged = mergeDevVars(mine, { owned: { DATABASE_URL: 'postgres://x' } });
    expect(merged).toBe(`${mine}DATABASE_URL='postgres://x'\n`);
    expect(readDevVar(merged, 'NOTE')).toBe('first line\nDATABASE_URL=inside the note\nlast line');
  });

  it('keeps a CRLF file CRLF', () => {
    const merged = mergeDevVars("# mine\r\nDATABASE_URL='old'\r\nX=1\r\n", { owned: { DATABASE_URL: 'new', Y: '2' } });
    expect(merged).toBe("# mine\r\nDATABASE_URL='new'\r\nX=1\r\nY='2'\r\n");
  });
});

describe('readDevVar (as dotenv reads it)', () => {
  const text = [
    "A='single # not a comment'",
    'B="double\\nline"',
    'C=bare value   # comment',
    'export D=exported',
    'E: colon',
    'F=',
    'G=first',
    'G=last',
  ].join('\n');

  it.each([
    ['A', 'single # not a comment'],
    ['B', 'double\nline'],
    ['C', 'bare value'],
    ['D', 'exported'],
    ['E', 'colon'],
    ['F', ''],
    ['G', 'last'],
    ['MISSING', undefined],
  ])('%s', (key, value) => {
    expect(readDevVar(text, key)).toBe(value);
  });
});

describe('quoteDevVar', () => {
  it('quotes so the value reads back literally (JSON keeps its double quotes and backslashes)', () => {
    const value = '{"a":"x\\ny"}';
    expect(readDevVar(`K=${quoteDevVar('K', value)}`, 'K')).toBe(value);
    expect(readDevVar(`K=${quoteDevVar('K', "it's")}`, 'K')).toBe("it's");
    expect(() => quoteDevVar('K', "'`")).toThrow(/K/);
  });
});
