/**
 * A database of a test's own on the test stack's Postgres, made empty and dropped after: for tests that
 * run migrations from scratch or seed a shape no other test may see (node tests, outside workerd).
 */
import pg from 'pg';
import { postgresUrl, stackProfile } from '../../scripts/stack/profile.ts';

export interface ScratchDatabase {
  /** Connected to the new, empty database. */
  conn: pg.Client;
  drop(): Promise<void>;
}

export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const admin = new pg.Client({ connectionString: postgresUrl(stackProfile('test')) });
  const name = `${prefix}_${crypto.randomUUID().replace(/-/g, '')}`;
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(postgresUrl(stackProfile('test')));
  url.pathname = `/${name}`;
  const conn = new pg.Client({ connectionString: url.toString() });
  await conn.connect();
  return {
    conn,
    async drop() {
      await conn.end();
      await admin.query(`drop database if exists ${name}`);
      await admin.end();
    },
  };
}
