/**
 * The security config schema: its defaults are the contract's table (Detection rules, Rate limits),
 * partial overrides merge with them, and bad numbers are refused.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SECURITY_CONFIG, securityConfigSchema } from './security-config';

describe('security config defaults', () => {
  it('match the contract: rate limits', () => {
    const r = DEFAULT_SECURITY_CONFIG.rateLimits;
    // Issue 13: login per (IP, email) with a ceiling on failures per IP; signup sized for an office.
    expect(r.login).toEqual({ requests: 10, windowSeconds: 60, key: 'ip+email' });
    expect(r.loginFailures).toEqual({ requests: 60, windowSeconds: 60, key: 'ip' });
    expect({ requests: r.signup.requests, windowSeconds: r.signup.windowSeconds }).toEqual({
      requests: 50,
      windowSeconds: 60,
    });
    expect({ requests: r.refresh.requests, windowSeconds: r.refresh.windowSeconds }).toEqual({
      requests: 10,
      windowSeconds: 60,
    });
    expect({ requests: r.google.requests, windowSeconds: r.google.windowSeconds }).toEqual({
      requests: 5,
      windowSeconds: 60,
    });
    expect({ requests: r.logout.requests, windowSeconds: r.logout.windowSeconds }).toEqual({
      requests: 20,
      windowSeconds: 60,
    });
    // Per client IP per route.
    for (const route of ['signup', 'refresh', 'google', 'logout'] as const) expect(r[route].key).toBe('ip');
  });

  it('match the contract: detection rules', () => {
    const c = DEFAULT_SECURITY_CONFIG;
    expect(c.bruteForce).toEqual({ failures: 5, windowSeconds: 300, blockSeconds: 3600 });
    // Above every per-IP limit (issue 13), so an address that keeps to its limits is no bot.
    expect(c.bot).toEqual({ requests: 120, windowSeconds: 60, blockSeconds: 1800 });
    expect(c.multipleDevices).toEqual({ devices: 3, windowSeconds: 3600 });
    expect(c.rapidRefresh).toEqual({ refreshes: 10, windowSeconds: 600 });
    // Issue 13: positions within 200 km are one place; no egress networks listed by default.
    expect(c.impossibleTravel).toEqual({
      maxSpeedKmh: 1000,
      countryChangeSeconds: 3600,
      accuracyKm: 200,
      egressAsns: [],
    });
  });

  it('parsing {} gives the defaults', () => {
    expect(securityConfigSchema.parse({})).toEqual(DEFAULT_SECURITY_CONFIG);
  });
});

describe('security config overrides', () => {
  it('merge a partial rate limit with the defaults', () => {
    const c = securityConfigSchema.parse({ rateLimits: { login: { requests: 20 } } });
    expect(c.rateLimits.login).toEqual({ requests: 20, windowSeconds: 60, key: 'ip+email' });
    expect(c.rateLimits.signup).toEqual(DEFAULT_SECURITY_CONFIG.rateLimits.signup);
    expect(c.rateLimits.refresh).toEqual(DEFAULT_SECURITY_CONFIG.rateLimits.refresh);
    expect(c.rateLimits.google).toEqual(DEFAULT_SECURITY_CONFIG.rateLimits.google);
    expect(c.rateLimits.logout).toEqual(DEFAULT_SECURITY_CONFIG.rateLimits.logout);
    expect(c.bruteForce).toEqual(DEFAULT_SECURITY_CONFIG.bruteForce);
  });

  it('merge a partial detection rule with the defaults', () => {
    const c = securityConfigSchema.parse({
      bruteForce: { failures: 3 },
      impossibleTravel: { countryChangeSeconds: 600 },
      rateLimits: { refresh: { key: 'ip+user-agent' } },
    });
    expect(c.bruteForce).toEqual({ failures: 3, windowSeconds: 300, blockSeconds: 3600 });
    expect(c.impossibleTravel).toEqual({
      maxSpeedKmh: 1000,
      countryChangeSeconds: 600,
      accuracyKm: 200,
      egressAsns: [],
    });
    expect(c.rateLimits.refresh).toEqual({ requests: 10, windowSeconds: 60, key: 'ip+user-agent' });
    expect(c.bot).toEqual(DEFAULT_SECURITY_CONFIG.bot);
  });

  it.each([
    ['zero requests', { rateLimits: { login: { requests: 0 } } }],
    ['negative requests', { rateLimits: { signup: { requests: -1 } } }],
    ['a string for requests', { rateLimits: { login: { requests: '10' } } }],
    ['a zero window', { rateLimits: { refresh: { windowSeconds: 0 } } }],
    ['a fractional count', { rateLimits: { login: { requests: 2.5 } } }],
    ['an unknown limit key', { rateLimits: { login: { key: 'user' } } }],
    ['zero brute-force failures', { bruteForce: { failures: 0 } }],
    ['a negative block', { bruteForce: { blockSeconds: -60 } }],
    ['a string bot threshold', { bot: { requests: 'fifty' } }],
    ['zero devices', { multipleDevices: { devices: 0 } }],
    ['a negative refresh window', { rapidRefresh: { windowSeconds: -1 } }],
    ['a zero travel speed', { impossibleTravel: { maxSpeedKmh: 0 } }],
    ['a string country window', { impossibleTravel: { countryChangeSeconds: '3600' } }],
    ['a null section', { bot: null }],
  ])('refuses %s', (_label, input) => {
    expect(securityConfigSchema.safeParse(input).success).toBe(false);
  });
});
