// Conformance of the local Neon HTTP bridge (scripts/stack/neon-bridge.ts) with what production
// code sees from Neon: the real @neondatabase/serverless client, run inside workerd, must get the
// same values, errors and transaction semantics as against Neon itself.
import { env } from 'cloudflare:test';
import { NeonDbError, neon, neonConfig } from '@neondatabase/serverless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

neonConfig.fetchEndpoint = env.NEON_FETCH_ENDPOINT;
const sql = neon(env.DATABASE_URL);

// The database is shared with other test files: own, uniquely named tables.
const suffix = crypto.randomUUID().replaceAll('-', '').slice(0, 12);
const items = sql.unsafe(`neon_conf_items_${suffix}`);
const itemsName = `neon_conf_items_${suffix}`;
const uniqueName = `neon_conf_items_${suffix}_slug_key`;

async function caught(promise: Promise<unknown>): Promise<NeonDbError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(NeonDbError);
    return err as NeonDbError;
  }
  throw new Error('expected the query to fail');
}

beforeAll(async () => {
  await sql`
    CREATE TABLE ${items} (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      slug text NOT NULL CONSTRAINT ${sql.unsafe(uniqueName)} UNIQUE,
      title text,
      qty int4,
      big int8,
      active bool,
      seen_at timestamptz,
      meta jsonb,
      tags text[],
      scores int4[],
      blob bytea
    )`;
});

afterAll(async () => {
  await sql`DROP TABLE IF EXISTS ${items}`;
});

describe('values round-trip through the real client', () => {
  it('returns every column type the way Neon does', async () => {
    const id = crypto.randomUUID();
    const seenAt = new Date('2024-02-29T23:59:58.123Z');
    const meta = { nested: { list: [1, 'two', null, true] }, emoji: 'ü 🎉', quote: 'a"b\\c' };
    const tags = ['plain', 'with,comma', 'quote"d', 'back\\slash', 'ünïcødé 🎉', '', 'NULL'];
    const title = 'Grüße, 世界 🌍 — "quoted" \\ back';
    await sql`
      INSERT INTO ${items} (id, slug, title, qty, big, active, seen_at, meta, tags, scores, blob)
      VALUES (${id}, 'all-types', ${title}, ${-2147483648}, ${'9223372036854775807'}, ${true},
              ${seenAt}, ${meta}, ${tags}, ${[3, -1, 2147483647]}, ${new Uint8Array([0, 1, 254, 255])})`;

    const rows = await sql.query(`SELECT * FROM ${itemsName} WHERE id = $1`, [id]);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.id).toBe(id);
    expect(row.slug).toBe('all-types');
    expect(row.title).toBe(title);
    expect(row.qty).toBe(-2147483648);
    // int8 is not parsed by the client: it stays a string so no precision is lost.
    expect(row.big).toBe('9223372036854775807');
    expect(row.active).toBe(true);
    expect(row.seen_at).toBeInstanceOf(Date);
    expect((row.seen_at as Date).toISOString()).toBe(seenAt.toISOString());
    expect(row.meta).toEqual(meta);
    expect(row.tags).toEqual(tags);
    expect(row.scores).toEqual([3, -1, 2147483647]);
    expect(Array.from(row.blob as Uint8Array)).toEqual([0, 1, 254, 255]);
  });

  it('returns SQL NULL as null, also inside arrays', async () => {
    const [row] = await sql`
      SELECT NULL::text AS t, NULL::int4 AS i, NULL::jsonb AS j, NULL::timestamptz AS ts,
             ARRAY['a', NULL]::text[] AS arr, ${null}::text AS param`;
    expect(row).toEqual({ t: null, i: null, j: null, ts: null, arr: ['a', null], param: null });
  });

  it('parses server-computed values by their real type OIDs', async () => {
    const result = await sql.query(
      `SELECT 42::int4 AS i4, 42::int8 AS i8, 1.50::numeric AS num, 0.5::float8 AS f8, false AS b,
              '{"a":1}'::jsonb AS jb, '{"a":1}'::json AS js, '2001-02-03T04:05:06Z'::timestamptz AS ts,
              '{1,2}'::int8[] AS i8s, 'x'::varchar(5) AS vc`,
      [],
      { fullResults: true },
    );
    expect(result.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ['i4', 23],
      ['i8', 20],
      ['num', 1700],
      ['f8', 701],
      ['b', 16],
      ['jb', 3802],
      ['js', 114],
      ['ts', 1184],
      ['i8s', 1016],
      ['vc', 1043],
    ]);
    expect(result.rows[0]).toEqual({
      i4: 42,
      i8: '42',
      num: '1.50',
      f8: 0.5,
      b: false,
      jb: { a: 1 },
      js: { a: 1 },
      ts: new Date('2001-02-03T04:05:06Z'),
      i8s: ['1', '2'],
      vc: 'x',
    });
  });
});

describe('queries', () => {
  it('binds tagged-template values as parameters, never as SQL text', async () => {
    const hostile = "'); DROP TABLE users; --";
    const rows = await sql`SELECT ${hostile}::text AS v, ${7}::int4 + ${8}::int4 AS sum`;
    expect(rows).toEqual([{ v: hostile, sum: 15 }]);
  });

  it('runs sql.query(text, params) with fullResults and arrayMode', async () => {
    await sql.query(`INSERT INTO ${itemsName} (slug, qty) VALUES ($1, $2), ($3, $4)`, ['q-1', 1, 'q-2', 2]);
    const update = await sql.query(`UPDATE ${itemsName} SET qty = qty * 10 WHERE slug = ANY($1)`, [['q-1', 'q-2']], {
      fullResults: true,
    });
    expect(update.command).toBe('UPDATE');
    expect(update.rowCount).toBe(2);
    expect(update.rows).toEqual([]);

    const selected = await sql.query(`SELECT slug, qty FROM ${itemsName} WHERE slug LIKE $1 ORDER BY slug`, ['q-%'], {
      arrayMode: true,
    });
    expect(selected).toEqual([
      ['q-1', 10],
      ['q-2', 20],
    ]);
  });

  it('returns an empty array when nothing matches', async () => {
    expect(await sql`SELECT * FROM ${items} WHERE slug = ${'does-not-exist'}`).toEqual([]);
  });
});

describe('transactions', () => {
  it('commits a successful sql.transaction and returns one result per statement', async () => {
    const results = await sql.transaction((tx) => [
      tx`INSERT INTO ${items} (slug, qty) VALUES ('tx-ok-1', 1) RETURNING slug`,
      tx`INSERT INTO ${items} (slug, qty) VALUES ('tx-ok-2', 2) RETURNING slug`,
      tx`SELECT count(*)::int4 AS n FROM ${items} WHERE slug LIKE 'tx-ok-%'`,
    ]);
    expect(results).toEqual([[{ slug: 'tx-ok-1' }], [{ slug: 'tx-ok-2' }], [{ n: 2 }]]);
    const [committed] = await sql`SELECT count(*)::int4 AS n FROM ${items} WHERE slug LIKE 'tx-ok-%'`;
    expect(committed).toEqual({ n: 2 });
  });

  it('rolls back the whole batch when a later statement fails', async () => {
    const err = await caught(
      sql.transaction([
        sql`INSERT INTO ${items} (slug) VALUES ('tx-rollback')`,
        sql`INSERT INTO ${items} (slug) VALUES (${null})`,
      ]),
    );
    expect(err.code).toBe('23502'); // not_null_violation, from the 2nd statement
    expect(err.column).toBe('slug');
    expect(await sql`SELECT slug FROM ${items} WHERE slug = 'tx-rollback'`).toEqual([]);
  });

  it('applies isolation level and read-only mode', async () => {
    const [isolation, readOnly] = await sql.transaction(
      [sql`SHOW transaction_isolation`, sql`SHOW transaction_read_only`],
      { isolationLevel: 'Serializable', readOnly: true },
    );
    expect(isolation).toEqual([{ transaction_isolation: 'serializable' }]);
    expect(readOnly).toEqual([{ transaction_read_only: 'on' }]);

    const err = await caught(
      sql.transaction([sql`INSERT INTO ${items} (slug) VALUES ('read-only')`], { readOnly: true }),
    );
    expect(err.code).toBe('25006'); // read_only_sql_transaction
  });
});

describe('errors', () => {
  it('surfaces a unique violation as NeonDbError 23505 with its constraint', async () => {
    await sql`INSERT INTO ${items} (slug) VALUES ('dup')`;
    const err = await caught(sql`INSERT INTO ${items} (slug) VALUES ('dup')`);
    expect(err.code).toBe('23505');
    expect(err.constraint).toBe(uniqueName);
    expect(err.table).toBe(itemsName);
    expect(err.severity).toBe('ERROR');
    expect(err.detail).toBe('Key (slug)=(dup) already exists.');
    expect(err.message).toContain('duplicate key value violates unique constraint');
  });

  it('surfaces a syntax error as 42601 with its position', async () => {
    const err = await caught(sql`SELEC 1`);
    expect(err.code).toBe('42601');
    expect(err.position).toBe('1');
    expect(err.message).toBe('syntax error at or near "SELEC"');
  });

  it('rejects several statements in one query, like Neon (extended protocol)', async () => {
    const err = await caught(sql`SELECT 1; SELECT 2`);
    expect(err.code).toBe('42601');
    expect(err.message).toBe('cannot insert multiple commands into a prepared statement');
  });

  it('keeps working after errors (the connection is not left in a failed state)', async () => {
    await caught(sql`SELECT 1/0`);
    expect(await sql`SELECT 'still fine' AS v`).toEqual([{ v: 'still fine' }]);
  });
});
