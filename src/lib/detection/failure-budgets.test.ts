/**
 * The failure budgets beyond (email, IP), as pure decisions at their defaults: guessing spread over
 * many addresses against one account, and stuffing from one address across accounts (fast, slow, and
 * a day's worth).
 */
import { describe, expect, it } from 'vitest';
import { credentialStuffing, distributedBruteForce } from './rules';
import { DEFAULT_SECURITY_CONFIG as config, securityConfigSchema } from './security-config';

describe('distributed brute force: failures against one account from any address', () => {
  it('fires once, at the 10th failure within the hour', () => {
    expect(config.distributedBruteForce).toEqual({ failures: 10, windowSeconds: 3600 });
    expect(distributedBruteForce(9, config)).toBe(false);
    expect(distributedBruteForce(10, config)).toBe(true);
    expect(distributedBruteForce(11, config)).toBe(false);
  });

  it('15 addresses with 3 guesses each are caught though no address reaches its own budget of 5', () => {
    let fired = 0;
    for (let n = 1; n <= 45; n += 1) if (distributedBruteForce(n, config)) fired += 1;
    expect(fired).toBe(1);
    expect(config.bruteForce.failures).toBeGreaterThan(3);
  });
});

describe('credential stuffing: failures from one address across accounts', () => {
  const quiet = { distinctAccounts: 1, newAccount: true, dailyFailures: 1 };

  it('fires when the 5th distinct account fails within 10 minutes', () => {
    expect(config.credentialStuffing).toMatchObject({ accounts: 5, windowSeconds: 600, guardSeconds: 3600 });
    expect(credentialStuffing({ ...quiet, distinctAccounts: 4, dailyFailures: 4 }, config)).toEqual({
      detected: false,
    });
    expect(credentialStuffing({ ...quiet, distinctAccounts: 5, dailyFailures: 5 }, config)).toEqual({
      detected: true,
      reason: 'many_accounts',
      accounts: 5,
      windowSeconds: 600,
    });
  });

  it('does not fire again when an account already counted fails again (one person retrying behind a NAT)', () => {
    expect(credentialStuffing({ distinctAccounts: 5, newAccount: false, dailyFailures: 9 }, config)).toEqual({
      detected: false,
    });
    expect(credentialStuffing({ distinctAccounts: 6, newAccount: true, dailyFailures: 10 }, config)).toEqual({
      detected: false,
    });
  });

  it('fires at the 100th failure of the day, whatever the accounts (Auth0 counts 100 per IP per day)', () => {
    expect(credentialStuffing({ distinctAccounts: 2, newAccount: false, dailyFailures: 99 }, config)).toEqual({
      detected: false,
    });
    expect(credentialStuffing({ distinctAccounts: 2, newAccount: false, dailyFailures: 100 }, config)).toEqual({
      detected: true,
      reason: 'daily_failures',
      failures: 100,
      windowSeconds: 86_400,
    });
  });

  it('takes its thresholds from SECURITY_CONFIG', () => {
    const strict = securityConfigSchema.parse({ credentialStuffing: { accounts: 3 } });
    expect(credentialStuffing({ distinctAccounts: 3, newAccount: true, dailyFailures: 3 }, strict).detected).toBe(true);
    expect(strict.credentialStuffing.dailyFailures).toBe(100);
  });
});
