// Conformance of the local Upstash bridge (scripts/stack/upstash-bridge.ts) with what production
// code sees from Upstash: the real @upstash/redis client, run inside workerd (auto-pipelining on,
// base64 response encoding on, as in production), must get the same values and errors.
import { env } from 'cloudflare:test';
import { Redis, errors } from '@upstash/redis';
import { describe, expect, it } from 'vitest';

const redis = new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });

// The redis is shared with other test files and runs: every test works under its own prefix.
function keys(): (name: string) => string {
  const prefix = `conf:upstash:${crypto.randomUUID()}:`;
  return (name) => prefix + name;
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(errors.UpstashError);
    return err as Error;
  }
  throw new Error('expected the command to fail');
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

describe('strings', () => {
  it('set/get/del round-trips and reports counts', async () => {
    const k = keys();
    expect(await redis.set(k('a'), 'hello')).toBe('OK');
    expect(await redis.get(k('a'))).toBe('hello');
    expect(await redis.exists(k('a'), k('missing'))).toBe(1);
    expect(await redis.del(k('a'), k('missing'))).toBe(1);
    expect(await redis.get(k('a'))).toBeNull();
  });

  it('set with nx/ex, expire and ttl', async () => {
    const k = keys();
    expect(await redis.set(k('a'), 'v', { ex: 100 })).toBe('OK');
    const ttl = await redis.ttl(k('a'));
    expect(ttl).toBeGreaterThan(90);
    expect(ttl).toBeLessThanOrEqual(100);
    expect(await redis.set(k('a'), 'other', { nx: true })).toBeNull();
    expect(await redis.get(k('a'))).toBe('v');
    expect(await redis.expire(k('a'), 5)).toBe(1);
    expect(await redis.ttl(k('a'))).toBeLessThanOrEqual(5);
    expect(await redis.persist(k('a'))).toBe(1);
    expect(await redis.ttl(k('a'))).toBe(-1);
    expect(await redis.ttl(k('missing'))).toBe(-2);
    expect(await redis.expire(k('missing'), 5)).toBe(0);
  });

  it('incr/incrby/decr/incrbyfloat return numbers', async () => {
    const k = keys();
    expect(await redis.incr(k('n'))).toBe(1);
    expect(await redis.incrby(k('n'), 41)).toBe(42);
    expect(await redis.decr(k('n'))).toBe(41);
    expect(await redis.get(k('n'))).toBe(41);
    expect(await redis.incrbyfloat(k('f'), 1.5)).toBe(1.5);
  });

  it('keeps unicode, control characters and encoding look-alikes intact', async () => {
    const k = keys();
    const values = [
      'héllo ✓ 😀 中文 Ω',
      'nul\u0000byte, \r\n crlf, \t tab, "quotes" and \\backslash',
      String.fromCharCode(...Array.from({ length: 0x7f }, (_, i) => i + 1)),
      'OK', // the one bare string Upstash sends un-encoded: must not be confused with a value
      'T0s=', // base64 of "OK"
      'PONG',
      '',
    ];
    for (const [i, value] of values.entries()) expect(await redis.set(k(`v${i}`), value)).toBe('OK');
    for (const [i, value] of values.entries()) expect(await redis.get(k(`v${i}`))).toBe(value);
    // Redis counts bytes: proves the text travelled as UTF-8, not as UTF-16 or latin1.
    expect(await redis.strlen(k('v0'))).toBe(new TextEncoder().encode(values[0]).length);
    expect(await redis.mget(k('v0'), k('missing'), k('v3'))).toEqual([values[0], null, 'OK']);
  });

  it('serializes JSON values and deserializes them back', async () => {
    const k = keys();
    const doc = { id: 7, name: 'Zoë', tags: ['a', 'b'], nested: { ok: true, none: null } };
    await redis.set(k('doc'), doc);
    expect(await redis.get(k('doc'))).toEqual(doc);
    await redis.set(k('list'), [1, 'two', { three: 3 }]);
    expect(await redis.get(k('list'))).toEqual([1, 'two', { three: 3 }]);
    const raw = new Redis({
      url: env.UPSTASH_REDIS_REST_URL,
      token: env.UPSTASH_REDIS_REST_TOKEN,
      automaticDeserialization: false,
    });
    expect(await raw.get(k('doc'))).toBe(JSON.stringify(doc));
  });

  it('returns numbers as numbers but keeps numeric strings it cannot represent', async () => {
    const k = keys();
    await redis.set(k('int'), 42);
    await redis.set(k('neg'), -3.25);
    await redis.set(k('big'), '12345678901234567890');
    await redis.set(k('zero'), '007');
    expect(await redis.get(k('int'))).toBe(42);
    expect(await redis.get(k('neg'))).toBe(-3.25);
    expect(await redis.get(k('big'))).toBe('12345678901234567890');
    expect(await redis.get(k('zero'))).toBe('007');
  });
});

describe('data structures', () => {
  it('hashes: hset/hget/hgetall/hincrby/hdel', async () => {
    const k = keys();
    expect(await redis.hset(k('h'), { name: 'ada', visits: 1, profile: { lang: 'en' } })).toBe(3);
    expect(await redis.hget(k('h'), 'name')).toBe('ada');
    expect(await redis.hincrby(k('h'), 'visits', 5)).toBe(6);
    expect(await redis.hgetall(k('h'))).toEqual({ name: 'ada', visits: 6, profile: { lang: 'en' } });
    expect(await redis.hexists(k('h'), 'name')).toBe(1);
    expect(await redis.hdel(k('h'), 'name', 'nope')).toBe(1);
    expect(await redis.hlen(k('h'))).toBe(2);
    expect(await redis.hgetall(k('missing'))).toBeNull();
  });

  it('sets: sadd/smembers/sismember/srem/scard', async () => {
    const k = keys();
    expect(await redis.sadd(k('s'), 'a', 'b', 'c', 'a')).toBe(3);
    expect((await redis.smembers(k('s'))).sort()).toEqual(['a', 'b', 'c']);
    expect(await redis.sismember(k('s'), 'b')).toBe(1);
    expect(await redis.sismember(k('s'), 'z')).toBe(0);
    expect(await redis.srem(k('s'), 'b')).toBe(1);
    expect(await redis.scard(k('s'))).toBe(2);
  });

  it('sorted sets: zadd/zrange withscores/zincrby/zremrangebyscore', async () => {
    const k = keys();
    expect(
      await redis.zadd(
        k('z'),
        { score: 1, member: 'one' },
        { score: 2.5, member: 'two' },
        { score: 3, member: 'three' },
      ),
    ).toBe(3);
    expect(await redis.zrange(k('z'), 0, -1, { withScores: true })).toEqual(['one', 1, 'two', 2.5, 'three', 3]);
    expect(await redis.zscore(k('z'), 'two')).toBe(2.5);
    expect(await redis.zincrby(k('z'), 10, 'one')).toBe(11);
    expect(await redis.zremrangebyscore(k('z'), 0, 2.5)).toBe(1);
    expect(await redis.zrange(k('z'), 0, -1)).toEqual(['three', 'one']);
    expect(await redis.zcard(k('z'))).toBe(2);
  });

  it('lists: rpush/lpush/lrange/lpop', async () => {
    const k = keys();
    expect(await redis.rpush(k('l'), 'b', 'c')).toBe(2);
    expect(await redis.lpush(k('l'), 'a')).toBe(3);
    expect(await redis.lrange(k('l'), 0, -1)).toEqual(['a', 'b', 'c']);
    expect(await redis.lpop(k('l'))).toBe('a');
    expect(await redis.lrange(k('missing'), 0, -1)).toEqual([]);
  });
});

describe('pipelines and transactions', () => {
  it('pipeline executes every command and returns results in order', async () => {
    const k = keys();
    const results = await redis
      .pipeline()
      .set(k('a'), 1)
      .incr(k('a'))
      .get(k('a'))
      .hset(k('h'), { f: 'v' })
      .hgetall(k('h'))
      .exec();
    expect(results).toEqual(['OK', 2, 2, 1, { f: 'v' }]);
  });

  it('pipeline is not atomic: a failing command does not stop the others', async () => {
    const k = keys();
    await redis.set(k('str'), 'x');
    const err = await caught(redis.pipeline().hget(k('str'), 'f').set(k('after'), 'ran').exec());
    expect(err.message).toContain('WRONGTYPE');
    expect(await redis.get(k('after'))).toBe('ran');
    const kept = await redis.pipeline().incr(k('n')).hget(k('str'), 'f').incr(k('n')).exec({ keepErrors: true });
    expect(kept.map((r) => r.result)).toEqual([1, undefined, 2]);
    expect(kept[1]?.error).toContain('WRONGTYPE');
  });

  it('multi executes atomically and returns results in order', async () => {
    const k = keys();
    const results = await redis.multi().set(k('a'), 'x').incr(k('n')).incr(k('n')).get(k('a')).exec();
    expect(results).toEqual(['OK', 1, 2, 'x']);
  });

  it('multi with a runtime error applies the other commands, as redis does', async () => {
    const k = keys();
    await redis.set(k('str'), 'x');
    const err = await caught(redis.multi().incr(k('n')).hget(k('str'), 'f').exec());
    expect(err.message).toContain('WRONGTYPE');
    expect(await redis.get(k('n'))).toBe(1);
  });

  it('multi with a command redis refuses to queue discards the whole transaction', async () => {
    const k = keys();
    // hset with no field/value pairs is a wrong-arity error at queue time, so EXEC aborts.
    const err = await caught(redis.multi().set(k('a'), 'x').hset(k('h'), {}).exec());
    expect(err.message).toContain('EXECABORT');
    expect(await redis.get(k('a'))).toBeNull();
  });
});

describe('scripts', () => {
  it('eval returns keys, args, numbers and nil', async () => {
    const k = keys();
    expect(await redis.eval('return {KEYS[1], ARGV[1], 42}', [k('a')], ['arg'])).toEqual([k('a'), 'arg', 42]);
    expect(await redis.eval("return redis.call('GET', KEYS[1])", [k('missing')], [])).toBeNull();
    expect(await redis.eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", [k('n')], ['5'])).toBe(5);
  });

  it('evalsha runs a loaded script and reports NOSCRIPT for an unknown one', async () => {
    const script = `return 'loaded-${crypto.randomUUID()}'`;
    const sha = await redis.scriptLoad(script);
    expect(sha).toBe(await sha1Hex(script));
    expect(await redis.scriptExists(sha)).toEqual([1]);
    expect(await redis.evalsha(sha, [], [])).toBe(script.slice(8, -1));
    const err = await caught(redis.evalsha('0'.repeat(40), [], []));
    expect(err.message).toContain('NOSCRIPT');
  });

  it('accepts Upstash-only shebang flags and keeps the client-side SHA1 valid', async () => {
    const k = keys();
    const script = `#!lua flags=allow-key-locking\n-- ${crypto.randomUUID()}\nreturn redis.call('INCR', KEYS[1])`;
    expect(await redis.eval(script, [k('n')], [])).toBe(1);
    // After EVAL, EVALSHA with the SHA1 of the text the client sent must hit.
    const sha = await sha1Hex(script);
    expect(await redis.evalsha(sha, [k('n')], [])).toBe(2);
    expect(await redis.scriptExists(sha)).toEqual([1]);
    expect(await redis.scriptLoad(script)).toBe(sha);
    // The client's own EVALSHA-first helper.
    const fresh = `#!lua flags=allow-key-locking\n-- ${crypto.randomUUID()}\nreturn ARGV[1]`;
    const helper = redis.createScript<string>(fresh);
    expect(await helper.exec([], ['first'])).toBe('first');
    expect(await helper.evalsha([], ['second'])).toBe('second');
  });
});

describe('errors', () => {
  it('surfaces WRONGTYPE as a thrown error with redis’s message', async () => {
    const k = keys();
    await redis.set(k('str'), 'x');
    const err = await caught(redis.hget(k('str'), 'f'));
    expect(err.message).toContain('WRONGTYPE Operation against a key holding the wrong kind of value');
    const notInt = await caught(redis.incr(k('str')));
    expect(notInt.message).toContain('ERR value is not an integer');
  });

  it('rejects a bad token', async () => {
    const bad = new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: 'not-the-token' });
    const err = await caught(bad.get('anything'));
    expect(err.message).toMatch(/WRONGPASS|unauthori[sz]ed/i);
  });

  it('answers whole-request errors with an HTTP status and {error}', async () => {
    const url = env.UPSTASH_REDIS_REST_URL;
    const headers = { authorization: `Bearer ${env.UPSTASH_REDIS_REST_TOKEN}` };
    const unauthorized = await fetch(`${url}/pipeline`, { method: 'POST', body: '[["ping"]]' });
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toHaveProperty('error');
    const badJson = await fetch(`${url}/pipeline`, { method: 'POST', headers, body: '[["ping"' });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toHaveProperty('error');
    const single = await fetch(`${url}/echo/${encodeURIComponent('a b/ç')}`, { headers });
    expect(await single.json()).toEqual({ result: 'a b/ç' });
  });
});
