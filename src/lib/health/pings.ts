import { sql } from 'drizzle-orm';
import type { Database } from '../storage/database';
import type { Redis } from '../storage/redis';

/** The probes of `GET /health`, the same for both Workers. */
export const healthProbes = (db: Database, redis: Pick<Redis, 'ping'>) => ({
  database: () => db.execute(sql`select 1`),
  redis: () => redis.ping(),
});
