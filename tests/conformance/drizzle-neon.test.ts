// Conformance of drizzle-orm/neon-http over the local Neon HTTP bridge: the same driver the
// Workers use in production, run inside workerd, must see the same rows, batches and errors.
import { env } from 'cloudflare:test';
import { neon, neonConfig, types } from '@neondatabase/serverless';
import { eq, like, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/neon-http';
import { bigint, boolean, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

neonConfig.fetchEndpoint = env.NEON_FETCH_ENDPOINT;

// drizzle() replaces the client's *global* date/time type parsers with identity (drizzle-orm
// neon-http/driver.js initMappers). Put them back after this file, so a test file that shares the
// module instance (vitest `isolate: false`) still sees the client's defaults, e.g. Date values.
const dateTimeOids = [1082, 1114, 1115, 1182, 1184, 1185, 1186, 1187, 1231];
const clientParsers = dateTimeOids.map((oid) => [oid, types.getTypeParser(oid)] as const);
afterAll(() => {
  for (const [oid, parser] of clientParsers) types.setTypeParser(oid, parser);
});

const db = drizzle(neon(env.DATABASE_URL));

// The database is shared with other test files: own, uniquely named table.
const tableName = `drizzle_conf_widgets_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
const slugKey = `${tableName}_slug_key`;

const widgets = pgTable(tableName, {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(slugKey),
  name: text('name').notNull(),
  count: integer('count').notNull().default(0),
  big: bigint('big', { mode: 'bigint' }),
  active: boolean('active').notNull().default(true),
  meta: jsonb('meta').$type<{ color: string; sizes: number[] }>(),
  tags: text('tags').array(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** drizzle wraps driver errors in DrizzleQueryError; the NeonDbError is its `cause`. */
async function pgError(promise: Promise<unknown>): Promise<{ code?: string; constraint?: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { cause?: { code?: string; constraint?: string }; code?: string; constraint?: string };
    return e.cause?.code !== undefined ? e.cause : e;
  }
  throw new Error('expected the query to fail');
}

beforeAll(async () => {
  await db.execute(
    sql.raw(`
      CREATE TABLE "${tableName}" (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL CONSTRAINT "${slugKey}" UNIQUE,
        name text NOT NULL,
        count integer NOT NULL DEFAULT 0,
        big bigint,
        active boolean NOT NULL DEFAULT true,
        meta jsonb,
        tags text[],
        created_at timestamptz NOT NULL DEFAULT now()
      )`),
  );
});

afterAll(async () => {
  await db.execute(sql.raw(`DROP TABLE IF EXISTS "${tableName}"`));
});

describe('drizzle-orm/neon-http through the bridge', () => {
  it('inserts with .returning() and applies database defaults', async () => {
    const before = Date.now();
    const [row] = await db
      .insert(widgets)
      .values({
        slug: 'crud',
        name: 'Wïdget 🎉',
        big: 9223372036854775807n,
        meta: { color: 'blue', sizes: [1, 2, 3] },
        tags: ['a', 'b,c', 'd"e'],
      })
      .returning();
    expect(row).toBeDefined();
    expect(row!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(row!).toMatchObject({
      slug: 'crud',
      name: 'Wïdget 🎉',
      count: 0,
      big: 9223372036854775807n,
      active: true,
      meta: { color: 'blue', sizes: [1, 2, 3] },
      tags: ['a', 'b,c', 'd"e'],
    });
    expect(row!.createdAt).toBeInstanceOf(Date);
    // Server clock vs. workerd clock: same machine, so within a generous minute.
    expect(Math.abs(row!.createdAt.getTime() - before)).toBeLessThan(60_000);
  });

  it('selects, updates and deletes with .returning()', async () => {
    const [inserted] = await db.insert(widgets).values({ slug: 'sud', name: 'before' }).returning({ id: widgets.id });

    const selected = await db.select().from(widgets).where(eq(widgets.id, inserted!.id));
    expect(selected).toHaveLength(1);
    expect(selected[0]).toMatchObject({ slug: 'sud', name: 'before', count: 0, big: null, meta: null, tags: null });

    const updated = await db
      .update(widgets)
      .set({ name: 'after', count: sql`${widgets.count} + 5`, active: false })
      .where(eq(widgets.id, inserted!.id))
      .returning({ name: widgets.name, count: widgets.count, active: widgets.active });
    expect(updated).toEqual([{ name: 'after', count: 5, active: false }]);

    const deleted = await db.delete(widgets).where(eq(widgets.id, inserted!.id)).returning({ slug: widgets.slug });
    expect(deleted).toEqual([{ slug: 'sud' }]);
    expect(await db.select().from(widgets).where(eq(widgets.id, inserted!.id))).toEqual([]);
  });

  it('commits a db.batch([...]) as one transaction', async () => {
    const [first, second, listed] = await db.batch([
      db.insert(widgets).values({ slug: 'batch-ok-1', name: 'one' }).returning({ slug: widgets.slug }),
      db.insert(widgets).values({ slug: 'batch-ok-2', name: 'two' }).returning({ slug: widgets.slug }),
      db.select({ slug: widgets.slug }).from(widgets).where(like(widgets.slug, 'batch-ok-%')).orderBy(widgets.slug),
    ]);
    expect(first).toEqual([{ slug: 'batch-ok-1' }]);
    expect(second).toEqual([{ slug: 'batch-ok-2' }]);
    // The 3rd statement already sees the first two: they ran in one transaction, in order.
    expect(listed).toEqual([{ slug: 'batch-ok-1' }, { slug: 'batch-ok-2' }]);
  });

  it('rolls back a db.batch([...]) entirely when a statement fails', async () => {
    await db.insert(widgets).values({ slug: 'batch-taken', name: 'existing' });
    const err = await pgError(
      db.batch([
        db.insert(widgets).values({ slug: 'batch-rolled-back', name: 'would be committed alone' }),
        db.insert(widgets).values({ slug: 'batch-taken', name: 'duplicate' }),
      ]),
    );
    expect(err.code).toBe('23505');
    expect(await db.select().from(widgets).where(eq(widgets.slug, 'batch-rolled-back'))).toEqual([]);
  });

  it('exposes a unique violation as code 23505 with its constraint', async () => {
    await db.insert(widgets).values({ slug: 'unique', name: 'first' });
    const err = await pgError(db.insert(widgets).values({ slug: 'unique', name: 'second' }));
    expect(err.code).toBe('23505');
    expect(err.constraint).toBe(slugKey);
    expect(await db.select({ name: widgets.name }).from(widgets).where(eq(widgets.slug, 'unique'))).toEqual([
      { name: 'first' },
    ]);
  });

  it('runs upserts and raw SQL through db.execute', async () => {
    await db.insert(widgets).values({ slug: 'upsert', name: 'v1' });
    const [upserted] = await db
      .insert(widgets)
      .values({ slug: 'upsert', name: 'v2' })
      .onConflictDoUpdate({ target: widgets.slug, set: { name: 'v2', count: sql`${widgets.count} + 1` } })
      .returning({ name: widgets.name, count: widgets.count });
    expect(upserted).toEqual({ name: 'v2', count: 1 });

    const result = await db.execute<{ n: number; slug: string }>(
      sql`SELECT count(*)::int AS n, max(${widgets.slug}) AS slug FROM ${widgets} WHERE ${widgets.slug} = ${'upsert'}`,
    );
    expect(result.rows).toEqual([{ n: 1, slug: 'upsert' }]);
    expect(result.rowCount).toBe(1);
  });
});
