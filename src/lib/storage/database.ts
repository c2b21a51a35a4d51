/**
 * The Postgres adapter: drizzle over Neon's HTTP driver, one round trip per query and no connection
 * set-up per request. Locally `fetchEndpoint` points the unmodified driver at the Neon bridge.
 */
import { neon, neonConfig } from '@neondatabase/serverless';
import { drizzle, type NeonHttpDatabase } from 'drizzle-orm/neon-http';
import * as schema from '../db/schema';

export type Database = NeonHttpDatabase<typeof schema>;

export interface DatabaseSettings {
  url: string;
  /** Only set locally (the Neon bridge); production talks to Neon's own endpoint. */
  fetchEndpoint?: string | undefined;
}

export function createDatabase(settings: DatabaseSettings): Database {
  // The driver keeps this setting globally; every Worker instance sets the same value, so this is safe.
  if (settings.fetchEndpoint) neonConfig.fetchEndpoint = settings.fetchEndpoint;
  return drizzle(neon(settings.url), { schema });
}
