/**
 * Impossible travel on real requests (issue 13): a phone whose carrier changes its address (and its
 * city-level position by ~20 km) within a minute is no traveller; a login from another continent ten
 * minutes later still is. `request.cf` carries country, coordinates, ASN and colo per request.
 */
import { describe, expect, it } from 'vitest';
import { api, PASSWORD, randomIp, signUp } from '../auth/api';
import { eventsOfUser, eventually } from '../support';

const BERLIN_MOBILE = { country: 'DE', city: 'Berlin', latitude: 52.52, longitude: 13.405, asn: 3320, colo: 'TXL' };
const POTSDAM_MOBILE = { country: 'DE', city: 'Potsdam', latitude: 52.39, longitude: 13.065, asn: 3320, colo: 'TXL' };
const NEW_YORK = { country: 'US', city: 'New York', latitude: 40.71, longitude: -74.0, asn: 7922, colo: 'EWR' };

const logIn = (email: string, cf: Record<string, unknown>) =>
  api('/api/auth/login', { body: { email, password: PASSWORD }, ip: randomIp(), cf });

describe('impossible travel knows how precise a position is', () => {
  it('a carrier moving a phone 20 km within a minute records nothing; another continent does', async () => {
    const account = await signUp();
    expect((await logIn(account.email, BERLIN_MOBILE)).status).toBe(200);
    expect((await logIn(account.email, POTSDAM_MOBILE)).status).toBe(200);
    expect((await logIn(account.email, BERLIN_MOBILE)).status).toBe(200);
    expect((await logIn(account.email, NEW_YORK)).status).toBe(200);
    const rows = await eventually(
      () => eventsOfUser(account.user.id),
      (found) => found.some((r) => r.eventType === 'geographic_anomaly'),
    );
    const anomalies = rows.filter((r) => r.eventType === 'geographic_anomaly');
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]?.metadata).toMatchObject({ reason: 'impossible_speed', previousCountry: 'DE' });
  });
});
