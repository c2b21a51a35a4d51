import { sql } from 'drizzle-orm';
import type { Database } from '../storage/database';
import type { Redis } from '../storage/redis';
import { DEAD_LETTER_KEY, OUTBOX_KEY } from '../events/event-log';

/** The probes of `GET /health`, the same for both Workers. */
export const healthProbes = (db: Database, redis: Pick<Redis, 'ping' | 'llen'>) => ({
  database: () => db.execute(sql`select 1`),
  redis: () => redis.ping(),
  eventQueue: async () => {
    const [outbox, deadLetter] = await Promise.all([redis.llen(OUTBOX_KEY), redis.llen(DEAD_LETTER_KEY)]);
    return { outbox, deadLetter };
  },
});
