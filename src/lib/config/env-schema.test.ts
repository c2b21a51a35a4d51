import { describe, expect, it } from 'vitest';
import { ConfigError, dashboardEnvSchema, parseEnv } from './env-schema';

const base = {
  DATABASE_URL: 'postgres://u:p@localhost/auth',
  UPSTASH_REDIS_REST_URL: 'https://redis.example',
  UPSTASH_REDIS_REST_TOKEN: 'a-token-of-sixteen-chars',
  JWT_ISSUER: 'https://auth.example.com',
  JWT_AUDIENCE: 'edge-auth-api',
};

describe('alert delivery variables', () => {
  it('default to no webhook, json, high, an hour between posts and a day to resolve', () => {
    expect(parseEnv(dashboardEnvSchema, base)).toMatchObject({
      ALERT_WEBHOOK_FORMAT: 'json',
      ALERT_MIN_SEVERITY: 'high',
      ALERT_REPEAT_SECONDS: 3600,
      ALERT_AUTO_RESOLVE_SECONDS: 86_400,
    });
    expect(parseEnv(dashboardEnvSchema, { ...base, ALERT_WEBHOOK_URL: '' }).ALERT_WEBHOOK_URL).toBeUndefined();
  });

  it('refuse a json webhook without its signing secret, naming the variable and not the URL', () => {
    const url = 'https://hooks.example/secret-path-123';
    let error: unknown;
    try {
      parseEnv(dashboardEnvSchema, { ...base, ALERT_WEBHOOK_URL: url });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('ALERT_WEBHOOK_SECRET');
    expect((error as ConfigError).message).not.toContain(url);
    expect(
      parseEnv(dashboardEnvSchema, { ...base, ALERT_WEBHOOK_URL: url, ALERT_WEBHOOK_FORMAT: 'slack' }),
    ).toMatchObject({
      ALERT_WEBHOOK_FORMAT: 'slack',
    });
  });

  it('refuse a repeat interval under a minute and an unknown format', () => {
    expect(() => parseEnv(dashboardEnvSchema, { ...base, ALERT_REPEAT_SECONDS: '5' })).toThrow(/ALERT_REPEAT_SECONDS/);
    expect(() => parseEnv(dashboardEnvSchema, { ...base, ALERT_WEBHOOK_FORMAT: 'teams' })).toThrow(
      /ALERT_WEBHOOK_FORMAT/,
    );
  });
});

describe('AUTH_PUBLIC_URL (where the dashboard page signs in)', () => {
  it('is empty by default (the page signs in on its own origin) and takes an origin', () => {
    expect(parseEnv(dashboardEnvSchema, { ...base, AUTH_PUBLIC_URL: '' }).AUTH_PUBLIC_URL).toBeUndefined();
    expect(parseEnv(dashboardEnvSchema, base).AUTH_PUBLIC_URL).toBeUndefined();
    // As a browser names an origin: no trailing slash (the page's CSP and its requests use it as is).
    expect(
      parseEnv(dashboardEnvSchema, { ...base, AUTH_PUBLIC_URL: 'https://auth.example.com/' }).AUTH_PUBLIC_URL,
    ).toBe('https://auth.example.com');
    expect(parseEnv(dashboardEnvSchema, { ...base, AUTH_PUBLIC_URL: 'https://auth.example.com' }).AUTH_PUBLIC_URL).toBe(
      'https://auth.example.com',
    );
  });

  it('refuses anything but an http(s) origin, naming the variable', () => {
    for (const bad of ['https://auth.example.com/api', 'javascript:alert(1)', 'auth.example.com'])
      expect(() => parseEnv(dashboardEnvSchema, { ...base, AUTH_PUBLIC_URL: bad }), bad).toThrow(/AUTH_PUBLIC_URL/);
  });
});
