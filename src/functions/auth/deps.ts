/**
 * Turns the Worker's `env` into the auth service's dependencies, once per isolate: config parsed and
 * validated, one Redis client, one database client, the signing keys. Everything below this file
 * sees only these.
 */
import { authEnvSchema, parseEnv, type AuthEnvConfig } from '../../lib/config/env-schema';
import { createDatabase, type Database } from '../../lib/storage/database';
import { createRedis, type Redis } from '../../lib/storage/redis';
import { systemClock, type Clock } from '../../lib/clock';
import type { ReportError } from '../../lib/http/error-handler';
import { loadKeySet, type KeySet } from '../../lib/tokens/signing-keys';
import { accessTokenVerifier, type AccessTokenVerifier } from '../../lib/tokens/access-token';
import { loadCallerState } from '../../lib/sessions/caller-state';
import type { SessionDeps, TokenSettings } from '../../lib/sessions/token-issuer';
import { googleIdTokenVerifier, type GoogleIdTokenVerifier } from '../../lib/tokens/google-id-token';
import type { BearerDeps } from '../../lib/http/bearer-auth';
import type { SecurityConfig } from '../../lib/detection/security-config';
import { createRateLimiter, type RateLimiter } from '../../lib/rate-limit/rate-limiter';
import type { SecurityEvent } from '../../lib/events/event-types';
import { eventWriter, type WriteEvents } from '../../lib/events/event-log';
import { passwordSlots, type HoldSlot } from '../../lib/passwords/password-slots';
import { bindDetector, type Detect } from '../../lib/detection/detector';
import type { Alerting } from '../../lib/alerts/alert-delivery';
import { buildAlerting } from '../../lib/alerts/alerting';

export interface AuthDeps {
  config: AuthEnvConfig;
  db: Database;
  redis: Redis;
  clock: Clock;
  report: ReportError;
  keys: () => Promise<KeySet>;
  tokenSettings: TokenSettings;
  /** What starting or refreshing a session needs (the keys load once, on first use). */
  sessionDeps: () => Promise<SessionDeps>;
  bearer: BearerDeps;
  /** Undefined when GOOGLE_CLIENT_ID is not set: Google sign-in then answers 503. */
  google: GoogleIdTokenVerifier | undefined;
  security: SecurityConfig;
  limiter: RateLimiter;
  detect: Detect;
  /** Holds one of the isolate's password slots while a route hashes (password-slots.ts). */
  passwordSlots: HoldSlot;
  /** Writes a request's events after its response: concurrent requests' in one insert (event-log.ts). */
  writeEvents: WriteEvents;
  /** High and critical security events, to Sentry; `flushSignals` waits until they are sent. */
  signal: (event: SecurityEvent) => void;
  flushSignals: () => Promise<unknown>;
  /** How detections fold into alerts, and the webhook they are posted to. */
  alerting: Alerting;
}

/** Redis work after the response waits this long: a busy isolate is not an outage (detector.ts). */
const AFTER_RESPONSE_REDIS_TIMEOUT_MS = 10_000;

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}

export interface Observability {
  report: ReportError;
  signal?: (event: SecurityEvent) => void;
  flushSignals?: () => Promise<unknown>;
}

export function buildAuthDeps(
  config: AuthEnvConfig,
  observability: Observability,
  clock: Clock = systemClock,
): AuthDeps {
  const { report } = observability;
  const signal = observability.signal ?? (() => undefined);
  const flushSignals = observability.flushSignals ?? (() => Promise.resolve());
  const db = createDatabase({ url: config.DATABASE_URL, fetchEndpoint: config.NEON_FETCH_ENDPOINT });
  const security = config.SECURITY_CONFIG;
  const redis = createRedis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    timeoutMs: security.redisTimeoutMs,
  });
  const keys = once(() =>
    loadKeySet(config.JWT_PRIVATE_JWK as Parameters<typeof loadKeySet>[0], config.JWT_PUBLIC_JWKS),
  );
  const audience = { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE };
  const verifier = once<AccessTokenVerifier>(async () => accessTokenVerifier((await keys()).publicJwks, audience));
  const tokenSettings: TokenSettings = {
    ...audience,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    sessionMaxAgeSeconds: config.SESSION_MAX_AGE_SECONDS,
    reuseIntervalSeconds: config.REFRESH_REUSE_INTERVAL_SECONDS,
    refreshCountWindowSeconds: config.SECURITY_CONFIG.rapidRefresh.windowSeconds,
  };
  const afterResponseRedis = createRedis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    timeoutMs: AFTER_RESPONSE_REDIS_TIMEOUT_MS,
  });
  return {
    config,
    db,
    redis,
    clock,
    report,
    keys,
    tokenSettings,
    sessionDeps: async () => ({ db, keys: await keys(), settings: tokenSettings }),
    bearer: { verify: verifier, loadCaller: (userId, sessionId) => loadCallerState(db, userId, sessionId), clock },
    security,
    signal,
    flushSignals,
    limiter: createRateLimiter(redis, security),
    writeEvents: eventWriter(clock),
    passwordSlots: passwordSlots(clock),
    alerting: buildAlerting(config, db, clock, report),
    detect: bindDetector({
      redis,
      afterResponseRedis,
      db,
      config: security,
      report,
    }),
    google: config.GOOGLE_CLIENT_ID
      ? googleIdTokenVerifier({ clientId: config.GOOGLE_CLIENT_ID, jwksUrl: config.GOOGLE_JWKS_URL })
      : undefined,
  };
}

let isolateDeps: AuthDeps | undefined;

/** The isolate's dependencies, built on first use (see index.ts for why not per `env` object). */
export function authDepsFrom(env: Env, observability: Observability): AuthDeps {
  isolateDeps ??= buildAuthDeps(parseEnv(authEnvSchema, env), observability);
  return isolateDeps;
}
