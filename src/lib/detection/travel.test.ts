/**
 * Impossible travel that knows how precise a location is (issue 13): mobile carriers moving an
 * address, positions within the error of city-level geolocation, one colo, and known egress networks
 * are no travel; a real trip still is.
 */
import { describe, expect, it } from 'vitest';
import { impossibleTravel, type LoginPlace } from './rules';
import { DEFAULT_SECURITY_CONFIG as config, securityConfigSchema } from './security-config';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MINUTE = 60_000;

const at = (where: Omit<LoginPlace, 'at'>, ms: number): LoginPlace => ({ ...where, at: ms });

// Berlin as a carrier's GeoIP puts it, then the same phone after the carrier changed its address.
const BERLIN_MOBILE = { latitude: 52.52, longitude: 13.405, country: 'DE', asn: 3320, colo: 'TXL' };
const POTSDAM_MOBILE = { latitude: 52.39, longitude: 13.065, country: 'DE', asn: 3320, colo: 'TXL' };
const NEW_YORK = { latitude: 40.71, longitude: -74.0, country: 'US', asn: 7922, colo: 'EWR' };
const HAMBURG = { latitude: 53.55, longitude: 9.99, country: 'DE', asn: 3320, colo: 'HAM' };

describe('impossibleTravel with the precision of city-level geolocation', () => {
  it('a carrier moving the address 16-22 km within a minute is no travel (1,200+ km/h read naively)', () => {
    for (const colo of ['TXL', 'FRA', null]) {
      const verdict = impossibleTravel(at(BERLIN_MOBILE, T0), at({ ...POTSDAM_MOBILE, colo }, T0 + MINUTE), config);
      expect(verdict).toEqual({ anomaly: false });
    }
  });

  it('a jump within the accuracy (200 km) across a border is no country change either', () => {
    const aachen = { latitude: 50.78, longitude: 6.08, country: 'DE', asn: null, colo: null };
    const liege = { latitude: 50.63, longitude: 5.57, country: 'BE', asn: null, colo: null };
    expect(impossibleTravel(at(aachen, T0), at(liege, T0 + 5 * MINUTE), config)).toEqual({ anomaly: false });
  });

  it('two places served by the same colo are not compared', () => {
    const far = { ...HAMBURG, colo: 'TXL' }; // ~255 km, but the same data centre took both requests
    expect(impossibleTravel(at(BERLIN_MOBILE, T0), at(far, T0 + MINUTE), config)).toEqual({ anomaly: false });
  });

  it('a known egress network (a VPN listed in egressAsns) is not compared', () => {
    const vpn = securityConfigSchema.parse({ impossibleTravel: { egressAsns: [9009] } });
    const exit = { ...NEW_YORK, asn: 9009 };
    expect(impossibleTravel(at(BERLIN_MOBILE, T0), at(exit, T0 + MINUTE), vpn)).toEqual({ anomaly: false });
    // Without the list, the same pair is an impossible speed.
    expect(impossibleTravel(at(BERLIN_MOBILE, T0), at(exit, T0 + MINUTE), config)).toMatchObject({
      anomaly: true,
      reason: 'impossible_speed',
    });
  });

  it('Berlin then Munich (504 km) by another colo 5 minutes later is still impossible', () => {
    const munich = { latitude: 48.14, longitude: 11.58, country: 'DE', asn: 3320, colo: 'MUC' };
    const verdict = impossibleTravel(at(BERLIN_MOBILE, T0), at(munich, T0 + 5 * MINUTE), config);
    // (504 - 200) km in 5 minutes: about 3,650 km/h.
    expect(verdict).toMatchObject({ anomaly: true, reason: 'impossible_speed' });
  });

  it('Berlin then Hamburg (255 km) 5 minutes later is within what the positions allow', () => {
    // 55 km beyond the accuracy in 5 minutes is 660 km/h: not impossible.
    expect(impossibleTravel(at(BERLIN_MOBILE, T0), at(HAMBURG, T0 + 5 * MINUTE), config)).toEqual({ anomaly: false });
  });

  it('Berlin then Hamburg two hours later is a possible trip', () => {
    expect(impossibleTravel(at(BERLIN_MOBILE, T0), at(HAMBURG, T0 + 120 * MINUTE), config)).toEqual({
      anomaly: false,
    });
  });

  it('places stored before issue 13 (no asn, no colo) are still compared', () => {
    const old = { latitude: 52.52, longitude: 13.405, country: 'DE' };
    expect(impossibleTravel(at(old, T0), at(NEW_YORK, T0 + 10 * MINUTE), config)).toMatchObject({ anomaly: true });
  });
});
