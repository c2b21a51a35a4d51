/**
 * The Postgres adapter: drizzle over Neon's HTTP driver, one round trip per query and no connection
 * set-up per request. Locally `fetchEndpoint` points the unmodified driver at the Neon bridge.
 */
import { neon, neonConfig } from '@neondatabase/serverless';
import { drizzle, type NeonHttpDatabase } from 'drizzle-orm/neon-http';
import * as schema from './schema';

export type Database = NeonHttpDatabase<typeof schema>;

export interface DatabaseSettings {
  url: string;
  /** Only set locally (the Neon bridge); production talks to Neon's own endpoint. */
  fetchEndpoint?: string | undefined;
  /**
   * Per query. A hung endpoint must end in a 503 (and the event outbox), not a request that hangs
   * until the runtime cuts it off and loses its events.
   * @default 5000
   */
  timeoutMs?: number;
}

export function createDatabase(settings: DatabaseSettings): Database {
  // The driver keeps these settings globally; every Worker instance sets the same values, so this is safe.
  if (settings.fetchEndpoint) neonConfig.fetchEndpoint = settings.fetchEndpoint;
  const timeoutMs = settings.timeoutMs ?? 5000;
  neonConfig.fetchFunction = (input: RequestInfo | URL, init?: RequestInit) =>
    fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  return drizzle(neon(settings.url), { schema });
}
