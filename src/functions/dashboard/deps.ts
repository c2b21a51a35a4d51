/** Turns the dashboard Worker's `env` into its dependencies, once per isolate. */
import { ConfigError, dashboardEnvSchema, parseEnv, type DashboardEnvConfig } from '../../lib/config/env-schema';
import { createDatabase, type Database } from '../../lib/storage/database';
import { createRedis, type Redis } from '../../lib/storage/redis';
import { systemClock, type Clock } from '../../lib/clock';
import type { ReportError } from '../../lib/http/error-handler';
import { remoteAccessTokenVerifier } from '../../lib/tokens/remote-jwks';
import { loadCallerState } from '../../lib/sessions/caller-state';
import type { BearerDeps } from '../../lib/http/bearer-auth';
import { cursorKey } from '../../lib/paging/cursor';
import type { Alerting } from '../../lib/alerts/alert-delivery';
import { buildAlerting } from '../../lib/alerts/alerting';
import { createRateLimiter, type RateLimiter } from '../../lib/rate-limit/rate-limiter';
import { DEFAULT_SECURITY_CONFIG } from '../../lib/detection/security-config';

export interface DashboardDeps {
  config: DashboardEnvConfig;
  db: Database;
  redis: Redis;
  clock: Clock;
  report: ReportError;
  bearer: BearerDeps;
  /** The key page cursors are signed with (src/lib/paging/cursor.ts), derived once per isolate. */
  cursorKey: () => Promise<CryptoKey>;
  /** Resolving an alert posts the resolution to the webhook. */
  alerting: Alerting;
  /** Per admin: a leaked admin token cannot scrape or hammer the API. */
  adminLimiter: RateLimiter;
}

/** The auth Worker as the dashboard reaches it: the AUTH service binding (tests may wrap it). */
export type AuthService = Pick<Fetcher, 'fetch'>;

/**
 * The auth Worker's key set (contract: `GET /.well-known/jwks.json`). A service binding routes by the
 * binding, not the URL, but its fetch needs an absolute URL: the host is only a label.
 */
export const AUTH_JWKS_URL = 'https://edge-auth/.well-known/jwks.json';

let isolateDeps: DashboardDeps | undefined;

/** The isolate's dependencies, built on first use: the key set they cache is the isolate's too. */
export function dashboardDepsFrom(env: DashboardEnv, report: ReportError): DashboardDeps {
  isolateDeps ??= buildDashboardDeps(parseEnv(dashboardEnvSchema, env), authServiceOf(env), report);
  return isolateDeps;
}

/** The AUTH binding, or a ConfigError naming it: without it no admin could ever be verified. */
export function authServiceOf(env: DashboardEnv): AuthService {
  const auth = (env as Partial<DashboardEnv>).AUTH;
  if (typeof auth?.fetch !== 'function')
    throw new ConfigError(['AUTH: needs the service binding to the auth Worker (edge-auth)']);
  return auth;
}

export function buildDashboardDeps(
  config: DashboardEnvConfig,
  auth: AuthService,
  report: ReportError,
  clock: Clock = systemClock,
): DashboardDeps {
  const db = createDatabase({ url: config.DATABASE_URL, fetchEndpoint: config.NEON_FETCH_ENDPOINT });
  // The keys the auth Worker publishes now, cached for this isolate and fetched again on a kid the
  // cache does not know (a rotation): tokens are checked for iss, aud, alg and typ as on the auth Worker.
  const verifier = remoteAccessTokenVerifier(
    {
      // Called on the binding, never detached: a binding's fetch without its object throws "Illegal invocation".
      fetch: (url) => auth.fetch(url),
      url: AUTH_JWKS_URL,
      onError: (err) => report(err, { source: 'get', detail: `AUTH ${AUTH_JWKS_URL}` }),
    },
    { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
  );
  let key: Promise<CryptoKey> | undefined;
  const redis = createRedis({ url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN });
  return {
    config,
    db,
    clock,
    report,
    // From the Redis token, a secret every dashboard deployment has, under a label of its own (HKDF):
    // rotating that token only makes old cursors a 400, and the client asks for the first page again.
    cursorKey: () => (key ??= cursorKey(config.UPSTASH_REDIS_REST_TOKEN)),
    redis,
    alerting: buildAlerting(config, db, clock, report),
    adminLimiter: createRateLimiter(redis, DEFAULT_SECURITY_CONFIG),
    bearer: {
      verify: async () => verifier,
      loadCaller: (userId, sessionId) => loadCallerState(db, userId, sessionId),
      clock,
    },
  };
}
