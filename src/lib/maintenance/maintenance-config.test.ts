/**
 * The maintenance config schema: its defaults are the documented ones (docs/maintenance.md), partial
 * overrides merge with them, and numbers that would break a run's limits are refused by name.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAINTENANCE_CONFIG, maintenanceConfigSchema } from './maintenance-config';
import { authEnvSchema, ConfigError, parseEnv } from '../config/env-schema';

describe('maintenance config defaults', () => {
  it('keep sessions as the old cleanup did, and archive events after 90 days', () => {
    expect(DEFAULT_MAINTENANCE_CONFIG.retention).toEqual({
      expiredSessionGraceDays: 1,
      revokedSessionDays: 30,
      resolvedAlertDays: 90,
      alertDeliveryDays: 30,
      cronRunDays: 30,
    });
    expect(DEFAULT_MAINTENANCE_CONFIG.archive.afterDays).toBe(90);
  });

  it('stay within a daily Cron Trigger: 15 minutes, 10,000 subrequests, statements under 5 s', () => {
    expect(DEFAULT_MAINTENANCE_CONFIG.budget).toEqual({ seconds: 600, statements: 5000 });
    expect(DEFAULT_MAINTENANCE_CONFIG.batches).toEqual({
      initialRows: 2000,
      minRows: 100,
      maxRows: 20_000,
      targetStatementMs: 2000,
      statementTimeoutMs: 4000,
    });
  });

  it('parsing {} gives the defaults', () => {
    expect(maintenanceConfigSchema.parse({})).toEqual(DEFAULT_MAINTENANCE_CONFIG);
  });
});

describe('maintenance config overrides', () => {
  it('merge a partial section with the defaults', () => {
    const c = maintenanceConfigSchema.parse({
      retention: { revokedSessionDays: 7 },
      thresholds: { archiveBacklogRows: 0 },
    });
    expect(c.retention).toEqual({ ...DEFAULT_MAINTENANCE_CONFIG.retention, revokedSessionDays: 7 });
    expect(c.thresholds).toEqual({ ...DEFAULT_MAINTENANCE_CONFIG.thresholds, archiveBacklogRows: 0 });
    expect(c.batches).toEqual(DEFAULT_MAINTENANCE_CONFIG.batches);
  });

  it('refuse what a Cron Trigger could not run, or what makes no sense', () => {
    for (const bad of [
      { budget: { seconds: 900 } },
      { budget: { statements: 10_000 } },
      { batches: { statementTimeoutMs: 5000 } },
      { batches: { targetStatementMs: 4000 } },
      { batches: { minRows: 5000 } },
      { retention: { revokedSessionDays: -1 } },
      { archive: { afterDays: 0 } },
      { alertSeverity: 'info' },
    ])
      expect(maintenanceConfigSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('is read from MAINTENANCE_CONFIG, and a bad one names the variable', () => {
    const env = {
      DATABASE_URL: 'postgres://u:p@localhost/auth',
      UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1',
      UPSTASH_REDIS_REST_TOKEN: 'x'.repeat(16),
      JWT_ISSUER: 'i',
      JWT_AUDIENCE: 'a',
      JWT_PRIVATE_JWK: JSON.stringify({ kty: 'EC', kid: 'kid-2026-12', alg: 'ES256', d: 'd' }),
    };
    expect(parseEnv(authEnvSchema, env).MAINTENANCE_CONFIG).toEqual(DEFAULT_MAINTENANCE_CONFIG);
    expect(
      parseEnv(authEnvSchema, { ...env, MAINTENANCE_CONFIG: '{"archive":{"afterDays":30}}' }).MAINTENANCE_CONFIG.archive
        .afterDays,
    ).toBe(30);
    expect(() => parseEnv(authEnvSchema, { ...env, MAINTENANCE_CONFIG: '{"budget":{"seconds":9999}}' })).toThrow(
      ConfigError,
    );
    expect(() => parseEnv(authEnvSchema, { ...env, MAINTENANCE_CONFIG: 'not json' })).toThrow(/MAINTENANCE_CONFIG/);
  });
});
