/**
 * Turns the Worker's `env` into the auth service's dependencies, once per isolate: config parsed and
 * validated, one Redis client, one database client. Everything below this file sees only these.
 */
import { sql } from 'drizzle-orm';
import { authEnvSchema, parseEnv, type AuthEnvConfig } from '../../lib/config/env-schema';
import { createDatabase, type Database } from '../../lib/storage/database';
import { createRedis, type Redis } from '../../lib/storage/redis';
import { systemClock, type Clock } from '../../lib/clock';
import type { ReportError } from '../../lib/http/error-handler';

export interface AuthDeps {
  config: AuthEnvConfig;
  db: Database;
  redis: Redis;
  clock: Clock;
  report: ReportError;
}

const cache = new WeakMap<object, AuthDeps>();

export function authDepsFrom(env: Env, report: ReportError): AuthDeps {
  const cached = cache.get(env);
  if (cached) return cached;
  const config = parseEnv(authEnvSchema, env);
  const deps: AuthDeps = {
    config,
    db: createDatabase({ url: config.DATABASE_URL, fetchEndpoint: config.NEON_FETCH_ENDPOINT }),
    redis: createRedis({ url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN }),
    clock: systemClock,
    report,
  };
  cache.set(env, deps);
  return deps;
}

export const pingDatabase = (db: Database) => () => db.execute(sql`select 1`);
export const pingRedis = (redis: Redis) => () => redis.ping();
