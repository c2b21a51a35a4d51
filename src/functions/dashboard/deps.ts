/** Turns the dashboard Worker's `env` into its dependencies, once per isolate. */
import { dashboardEnvSchema, parseEnv, type DashboardEnvConfig } from '../../lib/config/env-schema';
import { createDatabase, type Database } from '../../lib/storage/database';
import { createRedis, type Redis } from '../../lib/storage/redis';
import { systemClock, type Clock } from '../../lib/clock';
import type { ReportError } from '../../lib/http/error-handler';

export interface DashboardDeps {
  config: DashboardEnvConfig;
  db: Database;
  redis: Redis;
  clock: Clock;
  report: ReportError;
}

const cache = new WeakMap<object, DashboardDeps>();

export function dashboardDepsFrom(env: DashboardEnv, report: ReportError): DashboardDeps {
  const cached = cache.get(env);
  if (cached) return cached;
  const config = parseEnv(dashboardEnvSchema, env);
  const deps: DashboardDeps = {
    config,
    db: createDatabase({ url: config.DATABASE_URL, fetchEndpoint: config.NEON_FETCH_ENDPOINT }),
    redis: createRedis({ url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN }),
    clock: systemClock,
    report,
  };
  cache.set(env, deps);
  return deps;
}
