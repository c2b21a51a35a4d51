/**
 * The detection rules as pure decisions (contract: Detection rules), at their default thresholds:
 * counters and fake `now` values in, verdicts out. No I/O.
 */
import { describe, expect, it } from 'vitest';
import {
  accountShouldLock,
  botActivity,
  bruteForce,
  distanceKm,
  impossibleTravel,
  rapidRefresh,
  reachesThreshold,
  suspiciousUserAgent,
  tooManyDevices,
  type LoginPlace,
} from './rules';
import { DEFAULT_SECURITY_CONFIG as config } from './security-config';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const BERLIN = { latitude: 52.52, longitude: 13.405, country: 'DE' };
const NEW_YORK = { latitude: 40.71, longitude: -74.0, country: 'US' };
const PARIS = { latitude: 48.8566, longitude: 2.3522, country: 'FR' };

const place = (
  where: { latitude: number | null; longitude: number | null; country: string | null },
  at: number,
): LoginPlace => ({ ...where, at });

describe('threshold rules at their defaults', () => {
  it('reachesThreshold is true exactly at the threshold', () => {
    expect(reachesThreshold(4, 5)).toBe(false);
    expect(reachesThreshold(5, 5)).toBe(true);
    expect(reachesThreshold(6, 5)).toBe(false);
  });

  it('brute force fires at the 5th failure, not the 4th', () => {
    expect(config.bruteForce.failures).toBe(5);
    expect(bruteForce(4, config)).toBe(false);
    expect(bruteForce(5, config)).toBe(true);
  });

  it('brute force does not fire again at the 6th failure', () => {
    // By design (reachesThreshold): the rule fires once, on the request that reaches the threshold.
    // The IP is then blocked for an hour, so later failures fold into the same detection instead of
    // raising a new event, block and lock-counter bump for every further attempt.
    expect(bruteForce(6, config)).toBe(false);
    expect(bruteForce(50, config)).toBe(false);
  });

  it('multiple devices fires at 3 distinct devices, not 2', () => {
    expect(config.multipleDevices.devices).toBe(3);
    expect(tooManyDevices(1, config)).toBe(false);
    expect(tooManyDevices(2, config)).toBe(false);
    expect(tooManyDevices(3, config)).toBe(true);
    // "3 or more": unlike the counters above, every login with 3+ devices in the window is noted.
    expect(tooManyDevices(4, config)).toBe(true);
  });

  it('rapid refresh fires at the 10th refresh in a session, not the 9th', () => {
    expect(config.rapidRefresh.refreshes).toBe(10);
    expect(rapidRefresh(9, config)).toBe(false);
    expect(rapidRefresh(10, config)).toBe(true);
    expect(rapidRefresh(11, config)).toBe(false);
  });

  it('bot activity fires at the 120th request, not the 119th (50 before issue 13: above every per-IP limit now)', () => {
    expect(config.bot.requests).toBe(120);
    expect(botActivity(119, config)).toBe(false);
    expect(botActivity(120, config)).toBe(true);
    expect(botActivity(121, config)).toBe(false);
  });

  it('an account locks at the 3rd brute-force detection against it', () => {
    expect(config.accountLock.detections).toBe(3);
    expect(accountShouldLock(1, config)).toBe(false);
    expect(accountShouldLock(2, config)).toBe(false);
    expect(accountShouldLock(3, config)).toBe(true);
    expect(accountShouldLock(4, config)).toBe(true);
  });

  it('follows a configured threshold', () => {
    const strict = {
      ...config,
      bruteForce: { ...config.bruteForce, failures: 2 },
      bot: { ...config.bot, requests: 3 },
    };
    expect(bruteForce(2, strict)).toBe(true);
    expect(bruteForce(5, strict)).toBe(false);
    expect(botActivity(3, strict)).toBe(true);
  });
});

describe('distanceKm', () => {
  it('Berlin to Paris is about 878 km', () => {
    expect(Math.abs(distanceKm(BERLIN, PARIS) - 878)).toBeLessThanOrEqual(10);
  });

  it('is symmetric and zero for the same place', () => {
    expect(distanceKm(PARIS, BERLIN)).toBeCloseTo(distanceKm(BERLIN, PARIS), 6);
    expect(distanceKm(BERLIN, BERLIN)).toBe(0);
  });

  it('Berlin to New York is about 6,385 km', () => {
    expect(Math.abs(distanceKm(BERLIN, NEW_YORK) - 6385)).toBeLessThanOrEqual(30);
  });
});

describe('impossibleTravel', () => {
  it('Berlin then New York 10 minutes later: impossible_speed', () => {
    const verdict = impossibleTravel(place(BERLIN, T0), place(NEW_YORK, T0 + 10 * MINUTE), config);
    expect(verdict.anomaly).toBe(true);
    if (!verdict.anomaly || verdict.reason !== 'impossible_speed')
      throw new Error(`expected impossible_speed, got ${JSON.stringify(verdict)}`);
    expect(Math.abs(verdict.distanceKm - 6385)).toBeLessThanOrEqual(30);
    expect(verdict.speedKmh).toBeGreaterThan(30_000); // ~6,385 km in 1/6 h
  });

  it('the same two places 10 hours apart: possible by speed, and the country change is past the hour', () => {
    const verdict = impossibleTravel(place(BERLIN, T0), place(NEW_YORK, T0 + 10 * HOUR), config);
    // ~640 km/h is under 1000 km/h; DE -> US counts as a country change only within 1 h.
    expect(verdict).toEqual({ anomaly: false });
  });

  it('DE -> FR 300 km in 30 minutes: country_change (600 km/h is a possible speed)', () => {
    const germany = { latitude: 49.0, longitude: 8.0, country: 'DE' };
    const france = { latitude: 49.0, longitude: 3.89, country: 'FR' };
    expect(Math.abs(distanceKm(germany, france) - 300)).toBeLessThanOrEqual(5);
    const verdict = impossibleTravel(place(germany, T0), place(france, T0 + 30 * MINUTE), config);
    expect(verdict).toEqual({ anomaly: true, reason: 'country_change', from: 'DE', to: 'FR', minutes: 30 });
  });

  it('the same country, nearby, shortly after: no anomaly', () => {
    const potsdam = { latitude: 52.39, longitude: 13.06, country: 'DE' };
    expect(impossibleTravel(place(BERLIN, T0), place(potsdam, T0 + 5 * MINUTE), config)).toEqual({ anomaly: false });
    expect(impossibleTravel(place(BERLIN, T0), place(BERLIN, T0 + 1000), config)).toEqual({ anomaly: false });
  });

  it('missing coordinates: only the country rule applies', () => {
    const nowhereDE = { latitude: null, longitude: null, country: 'DE' };
    const nowhereUS = { latitude: null, longitude: null, country: 'US' };
    expect(impossibleTravel(place(nowhereDE, T0), place(nowhereUS, T0 + 10 * MINUTE), config)).toEqual({
      anomaly: true,
      reason: 'country_change',
      from: 'DE',
      to: 'US',
      minutes: 10,
    });
    expect(impossibleTravel(place(nowhereDE, T0), place(nowhereUS, T0 + 2 * HOUR), config)).toEqual({ anomaly: false });
    expect(impossibleTravel(place(nowhereDE, T0), place(nowhereDE, T0 + MINUTE), config)).toEqual({ anomaly: false });
    // Coordinates on one side only: no speed can be computed, still only the country rule.
    expect(impossibleTravel(place(BERLIN, T0), place(nowhereUS, T0 + MINUTE), config)).toEqual({
      anomaly: true,
      reason: 'country_change',
      from: 'DE',
      to: 'US',
      minutes: 1,
    });
    expect(impossibleTravel(place(BERLIN, T0), place({ ...NEW_YORK, latitude: null }, T0 + 2 * HOUR), config)).toEqual({
      anomaly: false,
    });
  });

  it('the country rule holds for strictly less than an hour', () => {
    const de = { latitude: null, longitude: null, country: 'DE' };
    const fr = { latitude: null, longitude: null, country: 'FR' };
    expect(impossibleTravel(place(de, T0), place(fr, T0 + HOUR - 1000), config).anomaly).toBe(true);
    expect(impossibleTravel(place(de, T0), place(fr, T0 + HOUR), config).anomaly).toBe(false);
  });

  it('no previous login: no anomaly', () => {
    expect(impossibleTravel(null, place(NEW_YORK, T0), config)).toEqual({ anomaly: false });
  });

  it('a previous login not before this one (clock skew): no anomaly', () => {
    expect(impossibleTravel(place(BERLIN, T0), place(NEW_YORK, T0), config)).toEqual({ anomaly: false });
    expect(impossibleTravel(place(BERLIN, T0 + MINUTE), place(NEW_YORK, T0), config)).toEqual({ anomaly: false });
  });
});

describe('suspiciousUserAgent', () => {
  it('flags an empty or missing user agent', () => {
    expect(suspiciousUserAgent(null)).toBe('empty');
    expect(suspiciousUserAgent('')).toBe('empty');
    expect(suspiciousUserAgent('   ')).toBe('empty');
  });

  it.each([
    ['curl/8.4.0', 'curl'],
    ['python-requests/2.31.0', 'python-requests'],
    ['sqlmap/1.7.2#stable (https://sqlmap.org)', 'sqlmap'],
    ['Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:Port Check)', 'nikto'],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.109 Safari/537.36',
      'headlesschrome',
    ],
    ['Wget/1.21.4', 'wget'],
  ])('flags %s', (userAgent, match) => {
    expect(suspiciousUserAgent(userAgent)).toBe(match);
  });

  it.each([
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  ])('does not flag a normal browser: %s', (userAgent) => {
    expect(suspiciousUserAgent(userAgent)).toBeUndefined();
  });
});
