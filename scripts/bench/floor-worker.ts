/**
 * The floor of any route that needs both stores: one Upstash GET and one Neon `SELECT 1`, through the
 * same adapters (src/lib/storage) and the same bridges as the auth Worker. `npm run bench:load` puts
 * each auth route beside it: a route's share of this rate is what its own work costs.
 */
import { sql } from 'drizzle-orm';
import { createDatabase, type Database } from '../../src/lib/storage/database';
import { createRedis, type Redis } from '../../src/lib/storage/redis';

let stores: { db: Database; redis: Redis } | undefined;

export default {
  async fetch(
    _request: Request,
    env: {
      DATABASE_URL: string;
      NEON_FETCH_ENDPOINT: string;
      UPSTASH_REDIS_REST_URL: string;
      UPSTASH_REDIS_REST_TOKEN: string;
    },
  ): Promise<Response> {
    stores ??= {
      db: createDatabase({ url: env.DATABASE_URL, fetchEndpoint: env.NEON_FETCH_ENDPOINT }),
      redis: createRedis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN }),
    };
    const [value] = await Promise.all([stores.redis.get('bench:floor'), stores.db.execute(sql`select 1`)]);
    return Response.json({ ok: true, value });
  },
};
