/**
 * `npm run user:role -- --email EMAIL --role admin|user`
 * Sets a user's role in the configured database: DATABASE_URL when set (e.g. Neon in production),
 * otherwise the local dev stack's. Takes effect at once: Bearer routes read the role from the database.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { postgresUrl, stackProfile } from './stack/profile.ts';

const { values } = parseArgs({ options: { email: { type: 'string' }, role: { type: 'string' } } });
const email = values.email?.trim().toLowerCase();
const role = values.role;
if (!email || (role !== 'admin' && role !== 'user')) {
  console.error('usage: npm run user:role -- --email EMAIL --role admin|user');
  process.exit(2);
}

const connectionString = process.env.DATABASE_URL || postgresUrl(stackProfile('dev'));
const client = new pg.Client({ connectionString });
try {
  await client.connect();
} catch (err) {
  console.error(
    `cannot reach the database (${err instanceof Error ? err.message : String(err)}). Locally, start it with npm run dev or npm run stack:start.`,
  );
  process.exit(1);
}
try {
  const result = await client.query<{ id: string; email: string; role: string }>(
    'update users set role = $1, updated_at = now() where lower(email) = $2 returning id, email, role',
    [role, email],
  );
  const user = result.rows[0];
  if (!user) {
    console.error(`no user with email ${email}`);
    process.exitCode = 1;
  } else {
    console.log(`${user.email} (${user.id}) is now ${user.role}`);
  }
} finally {
  await client.end();
}
