/**
 * The risk verdicts at their defaults (issue 13): weights, levels and the policy per level; a known
 * device is never refused; a refresh whose device and country both changed ends the session.
 */
import { describe, expect, it } from 'vitest';
import { loginRisk, refreshRisk, type LoginSignals } from './risk';
import { DEFAULT_SECURITY_CONFIG as config, securityConfigSchema } from './security-config';

const usual: LoginSignals = {
  newDevice: false,
  newCountry: false,
  newAsn: false,
  impossibleTravel: false,
  accountFailures: 0,
  addressAccounts: 0,
  suspiciousUserAgent: false,
};

describe('loginRisk', () => {
  it('the owner on its usual device, at home: low, allowed', () => {
    expect(loginRisk(usual, config)).toEqual({ score: 0, level: 'low', signals: [], action: 'allow' });
  });

  it('a new phone at home is low; a new laptop abroad on another network is medium (alert, allowed)', () => {
    expect(loginRisk({ ...usual, newDevice: true }, config)).toMatchObject({ score: 25, action: 'allow' });
    expect(loginRisk({ ...usual, newDevice: true, newCountry: true, newAsn: true }, config)).toMatchObject({
      score: 55,
      level: 'medium',
      action: 'alert',
    });
  });

  it('a stuffing hit (new device, an address failing across accounts, a new network) is refused', () => {
    const v = loginRisk({ ...usual, newDevice: true, addressAccounts: 3, newAsn: true }, config);
    expect(v).toEqual({
      score: 60,
      level: 'high',
      signals: ['newDevice', 'newAsn', 'addressFailures'],
      action: 'refuse',
    });
  });

  it('a guess that landed after failures on the account, from a new device and country, is refused', () => {
    const v = loginRisk({ ...usual, newDevice: true, newCountry: true, accountFailures: 4 }, config);
    expect(v).toMatchObject({ score: 70, level: 'high', action: 'refuse' });
  });

  it('never refuses a known device, however high the score: the owner is not locked out by others', () => {
    const v = loginRisk(
      {
        ...usual,
        newCountry: true,
        newAsn: true,
        impossibleTravel: true,
        accountFailures: 9,
        addressAccounts: 9,
        suspiciousUserAgent: true,
      },
      config,
    );
    expect(v).toMatchObject({ level: 'high', action: 'alert' });
  });

  it('counts failures only from their thresholds (3 on the account, 3 accounts from the address)', () => {
    expect(loginRisk({ ...usual, accountFailures: 2, addressAccounts: 2 }, config).score).toBe(0);
    expect(loginRisk({ ...usual, accountFailures: 3 }, config).signals).toEqual(['accountFailures']);
  });

  it('follows a configured policy: refuse nothing', () => {
    const lenient = securityConfigSchema.parse({ risk: { loginPolicy: { high: 'alert' } } });
    expect(loginRisk({ ...usual, newDevice: true, newCountry: true, accountFailures: 4 }, lenient).action).toBe(
      'alert',
    );
  });
});

describe('refreshRisk', () => {
  const same = { deviceChanged: false, countryChanged: false, asnChanged: false, suspiciousUserAgent: false };

  it('ends the session when device and country both changed', () => {
    expect(refreshRisk({ ...same, deviceChanged: true, countryChanged: true }, config)).toEqual({
      score: 65,
      level: 'high',
      signals: ['deviceChanged', 'countryChanged'],
      action: 'end_session',
    });
  });

  it('a browser update alone, or a trip alone, is allowed', () => {
    expect(refreshRisk({ ...same, deviceChanged: true }, config).action).toBe('allow');
    expect(refreshRisk({ ...same, countryChanged: true, asnChanged: true }, config).action).toBe('alert');
    expect(refreshRisk({ ...same, countryChanged: true }, config).action).toBe('allow');
  });

  it('is configurable: alert instead of ending the session', () => {
    const keep = securityConfigSchema.parse({ risk: { refreshPolicy: { high: 'alert' } } });
    expect(refreshRisk({ ...same, deviceChanged: true, countryChanged: true }, keep).action).toBe('alert');
  });
});
