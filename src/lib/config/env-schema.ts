/**
 * Every variable a Worker reads, validated once with one schema. A missing or bad variable fails
 * fast with its name (never its value: some are secrets). `src/lib` receives the parsed config,
 * never `env` itself.
 */
import { z } from 'zod';
import { securityConfigSchema } from '../detection/security-config';
import { maintenanceConfigSchema } from '../maintenance/maintenance-config';

const seconds = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url().optional());

const jsonOf = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

/** A JWK as we accept it for signing: asymmetric only, with a `kid` so verifiers can pick the key. */
const privateJwk = z
  .object({
    kty: z.enum(['EC', 'OKP']),
    kid: z.string().min(8, 'kid must be at least 8 characters (use a versioned id such as 2026-11-a)'),
    alg: z.enum(['ES256', 'EdDSA']),
    d: z.string().min(1, 'must be a private key (has "d")'),
  })
  .loose();

const publicJwk = z
  .object({ kty: z.enum(['EC', 'OKP']), kid: z.string().min(1), alg: z.enum(['ES256', 'EdDSA']) })
  .loose();

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);

/** An origin as a browser sends it in `Origin`: scheme, host and port, nothing after. */
const originText = z.url({ protocol: /^https?$/ }).refine(
  // zod runs this even when the URL check failed: parse defensively.
  (v) => URL.canParse(v) && new URL(v).origin === v.replace(/\/$/, ''),
  { message: 'must be an origin (scheme://host[:port], no path)' },
);
/** The same, written as a browser sends it in `Origin` (no trailing slash), however it was configured. */
const origin = originText.transform((v) => new URL(v).origin);

/**
 * Origins allowed to call the auth Worker from a browser (CORS), comma-separated; empty = none, so no
 * CORS header is ever sent. `*` is refused on purpose: the token routes answer with credentials.
 */
const originList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim().replace(/\/$/, ''))
          .filter(Boolean)
      : v === undefined
        ? []
        : v,
  z.array(origin),
);

/** What Sentry's set-up reads (both Workers); validated again with the rest of the config. */
export const sentryEnvSchema = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'production']).default('production'),
  SENTRY_DSN: optionalUrl,
  /** Share of requests traced, 0 to 1. @default 0.1 in production, 1 in development and test */
  SENTRY_TRACES_SAMPLE_RATE: z.preprocess(emptyAsUndefined, z.coerce.number().min(0).max(1).optional()),
  /** Release name; when empty, the Worker's version id from its version metadata binding. */
  SENTRY_RELEASE: z.preprocess(emptyAsUndefined, z.string().max(200).optional()),
});

export const sharedEnvSchema = sentryEnvSchema.extend({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string'),
  NEON_FETCH_ENDPOINT: optionalUrl,
  UPSTASH_REDIS_REST_URL: z.url(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  JWT_ISSUER: z.string().min(1),
  JWT_AUDIENCE: z.string().min(1),
  // Alert delivery (contract: Alert delivery); read by both Workers and the cron.
  /** Where new alerts and their resolution are posted; a secret (Slack's URL is its own credential). Empty: off. */
  ALERT_WEBHOOK_URL: optionalUrl,
  ALERT_WEBHOOK_FORMAT: z.preprocess(emptyAsUndefined, z.enum(['slack', 'json']).default('json')),
  /** Signs `json` posts (X-Signature); a secret. */
  ALERT_WEBHOOK_SECRET: z.preprocess(emptyAsUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  ALERT_MIN_SEVERITY: z.preprocess(emptyAsUndefined, z.enum(['warning', 'high', 'critical']).default('high')),
  ALERT_REPEAT_SECONDS: z.preprocess(emptyAsUndefined, seconds(3600, 60, 7 * 86_400)),
  ALERT_AUTO_RESOLVE_SECONDS: z.preprocess(emptyAsUndefined, seconds(86_400, 300, 30 * 86_400)),
  /** The dashboard page's address, linked from Slack messages. Empty: no link. */
  DASHBOARD_PUBLIC_URL: optionalUrl,
});

/** A signed format needs its key: a `json` webhook without one would post what no receiver can trust. */
const webhookSigned = (
  config: {
    ALERT_WEBHOOK_URL?: string | undefined;
    ALERT_WEBHOOK_FORMAT: string;
    ALERT_WEBHOOK_SECRET?: string | undefined;
  },
  ctx: z.RefinementCtx,
) => {
  if (config.ALERT_WEBHOOK_URL && config.ALERT_WEBHOOK_FORMAT === 'json' && !config.ALERT_WEBHOOK_SECRET)
    ctx.addIssue({
      code: 'custom',
      path: ['ALERT_WEBHOOK_SECRET'],
      message: 'required when ALERT_WEBHOOK_FORMAT is json',
    });
};

export const authEnvSchema = sharedEnvSchema
  .extend({
    JWT_PRIVATE_JWK: jsonOf(privateJwk),
    /** Public keys still published during a rotation (the newest private key alone signs). */
    JWT_PUBLIC_JWKS: z.preprocess((v) => (v === '' || v === undefined ? '[]' : v), jsonOf(z.array(publicJwk))),
    ACCESS_TOKEN_TTL_SECONDS: seconds(900, 60, 3600),
    REFRESH_TOKEN_TTL_SECONDS: seconds(7 * 86_400, 300, 90 * 86_400),
    SESSION_MAX_AGE_SECONDS: seconds(30 * 86_400, 300, 365 * 86_400),
    REFRESH_REUSE_INTERVAL_SECONDS: seconds(10, 0, 300),
    GOOGLE_CLIENT_ID: z.string().default(''),
    GOOGLE_JWKS_URL: z.url().default('https://www.googleapis.com/oauth2/v3/certs'),
    SECURITY_CONFIG: z.preprocess((v) => (v === '' || v === undefined ? '{}' : v), jsonOf(securityConfigSchema)),
    MAINTENANCE_CONFIG: z.preprocess((v) => (v === '' || v === undefined ? '{}' : v), jsonOf(maintenanceConfigSchema)),
    /** The dashboard page's origin(s), e.g. `https://dashboard.example.com`. @default empty: no CORS */
    CORS_ALLOWED_ORIGINS: originList,
  })
  .superRefine(webhookSigned);

/**
 * The dashboard needs no key of its own: it reads the auth Worker's published keys through its AUTH
 * service binding (a binding, not a variable), so a rotation there needs no change here.
 */
export const dashboardEnvSchema = sharedEnvSchema
  .extend({
    /**
     * Where the page (GET /) sends sign-in and refresh: the auth Worker's public origin. Empty = the
     * dashboard's own origin (both Workers behind one hostname by routes).
     * @default empty
     */
    AUTH_PUBLIC_URL: z.preprocess(emptyAsUndefined, origin.optional()),
  })
  .superRefine(webhookSigned);

export type AuthEnvConfig = z.output<typeof authEnvSchema>;
export type DashboardEnvConfig = z.output<typeof dashboardEnvSchema>;
export type SharedEnvConfig = z.output<typeof sharedEnvSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses `env` with `schema`, naming each bad variable; throws ConfigError. */
export function parseEnv<S extends z.ZodType>(schema: S, env: unknown): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new ConfigError(problems);
}
