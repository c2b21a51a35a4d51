/** Turns the dashboard Worker's `env` into its dependencies, once per isolate. */
import { dashboardEnvSchema, parseEnv, type DashboardEnvConfig } from '../../lib/config/env-schema';
import { createDatabase, type Database } from '../../lib/storage/database';
import { createRedis, type Redis } from '../../lib/storage/redis';
import { systemClock, type Clock } from '../../lib/clock';
import type { ReportError } from '../../lib/http/error-handler';
import { accessTokenVerifier } from '../../lib/tokens/access-token';
import { loadCallerState } from '../../lib/sessions/caller-state';
import type { BearerDeps } from '../../lib/http/bearer-auth';

export interface DashboardDeps {
  config: DashboardEnvConfig;
  db: Database;
  redis: Redis;
  clock: Clock;
  report: ReportError;
  bearer: BearerDeps;
}

let isolateDeps: DashboardDeps | undefined;

/** The isolate's dependencies, built on first use. */
export function dashboardDepsFrom(env: DashboardEnv, report: ReportError): DashboardDeps {
  isolateDeps ??= buildDashboardDeps(parseEnv(dashboardEnvSchema, env), report);
  return isolateDeps;
}

export function buildDashboardDeps(config: DashboardEnvConfig, report: ReportError, clock: Clock = systemClock): DashboardDeps {
  const db = createDatabase({ url: config.DATABASE_URL, fetchEndpoint: config.NEON_FETCH_ENDPOINT });
  const verifier = accessTokenVerifier(config.JWT_PUBLIC_JWKS, { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });
  return {
    config, db, clock, report,
    redis: createRedis({ url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN }),
    bearer: { verify: async () => verifier, loadCaller: (userId, sessionId) => loadCallerState(db, userId, sessionId), clock },
  };
}
