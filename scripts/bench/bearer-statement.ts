/**
 * The Bearer check's SQL exactly as src/lib/sessions/caller-state.ts builds it, for EXPLAIN ANALYZE:
 * the bench runs the code's own statement, so the figure cannot drift from what the routes run.
 * Bundled with esbuild before use (src/ imports have no extensions, which Node alone cannot resolve).
 */
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { loadCallerState } from '../../src/lib/sessions/caller-state';
import type { Database } from '../../src/lib/storage/database';

export async function bearerCheckStatement(
  userId: string,
  sessionId: string,
): Promise<{ sql: string; params: unknown[] }> {
  let statement: SQL | undefined;
  // Records the statement instead of sending it; the bench then runs it on the real Postgres.
  const recorder = {
    execute: async (query: SQL) => {
      statement = query;
      return { rows: [] };
    },
  };
  await loadCallerState(recorder as unknown as Database, userId, sessionId);
  if (!statement) throw new Error('loadCallerState ran no statement');
  return new PgDialect().sqlToQuery(statement);
}
