/** Applies the drizzle-kit migrations in drizzle/ to a database (the local stack's, or any URL). */
import { join } from 'node:path';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { repoRoot } from './profile.ts';

export async function applyMigrations(connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await migrate(drizzle(client), { migrationsFolder: join(repoRoot, 'drizzle') });
  } finally {
    await client.end();
  }
}
