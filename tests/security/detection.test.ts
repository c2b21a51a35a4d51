/**
 * The detection rules end to end, through the auth Worker (contract: Detection rules): multiple
 * devices, impossible travel, rapid refresh, bot activity, suspicious user agents and a device
 * fingerprint mismatch, each seen as the security events (and alerts) it leaves behind.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api, PASSWORD, randomIp, uniqueEmail, type Tokens } from '../auth/api';
import { securityAlerts, type SecurityEventRow } from '../../src/lib/storage/schema';
import { db, eventsFromIp, eventsOfUser, eventually } from '../support';

const UA = {
  chrome:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  firefox: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  safari:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
};

const BERLIN = { country: 'DE', city: 'Berlin', latitude: 52.52, longitude: 13.405 };
const NEW_YORK = { country: 'US', city: 'New York', latitude: 40.71, longitude: -74.0 };

const ofType = (rows: SecurityEventRow[], type: string) => rows.filter((r) => r.eventType === type);

/** Waits until the user has `count` events of `type` (the request's whole batch lands in one insert). */
const untilUserHas = (userId: string, type: string, count: number) =>
  eventually(
    () => eventsOfUser(userId),
    (rows) => ofType(rows, type).length >= count,
  );

async function signUpAs(
  r: { ua?: string; cf?: Record<string, unknown>; ip?: string } = {},
): Promise<Tokens & { email: string }> {
  const email = uniqueEmail('detect');
  const res = await api<Tokens>('/api/auth/signup', {
    body: { email, password: PASSWORD, name: 'Detection Test' },
    ip: r.ip ?? randomIp(),
    headers: { 'user-agent': r.ua ?? UA.chrome },
    ...(r.cf ? { cf: r.cf } : {}),
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body, email };
}

function logIn(email: string, r: { ua?: string; cf?: Record<string, unknown>; ip?: string; password?: string } = {}) {
  return api<Tokens>('/api/auth/login', {
    body: { email, password: r.password ?? PASSWORD },
    ip: r.ip ?? randomIp(),
    headers: { 'user-agent': r.ua ?? UA.chrome },
    ...(r.cf ? { cf: r.cf } : {}),
  });
}

function refresh(refreshToken: string, r: { ua?: string; cf?: Record<string, unknown>; ip?: string } = {}) {
  return api<Tokens>('/api/auth/refresh', {
    body: { refreshToken },
    ip: r.ip ?? randomIp(),
    headers: { 'user-agent': r.ua ?? UA.chrome },
    ...(r.cf ? { cf: r.cf } : {}),
  });
}

describe('multiple devices', () => {
  it('records multiple_device_login at the 3rd distinct device within the hour, not the 2nd', async () => {
    // The signup counts as a login from its device: make it the same browser as the first login.
    const account = await signUpAs({ ua: UA.chrome });
    const userId = account.user.id;

    expect((await logIn(account.email, { ua: UA.chrome })).status).toBe(200);
    expect((await logIn(account.email, { ua: UA.firefox })).status).toBe(200);
    const afterSecond = await untilUserHas(userId, 'login_success', 2);
    expect(ofType(afterSecond, 'login_success')).toHaveLength(2);
    expect(ofType(afterSecond, 'multiple_device_login')).toHaveLength(0);

    expect((await logIn(account.email, { ua: UA.safari })).status).toBe(200);
    const afterThird = await untilUserHas(userId, 'login_success', 3);
    const found = ofType(afterThird, 'multiple_device_login');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'warning', userId, userAgent: UA.safari });
    expect(found[0]?.metadata).toMatchObject({ devices: 3, windowSeconds: 3600 });
  });
});

describe('impossible travel', () => {
  it('records geographic_anomaly (high, impossible_speed) and opens an alert for Berlin then New York', async () => {
    const account = await signUpAs();
    const userId = account.user.id;
    expect((await logIn(account.email, { cf: BERLIN })).status).toBe(200);
    await untilUserHas(userId, 'login_success', 1);
    const ip = randomIp();
    expect((await logIn(account.email, { cf: NEW_YORK, ip })).status).toBe(200);

    const rows = await untilUserHas(userId, 'login_success', 2);
    const anomalies = ofType(rows, 'geographic_anomaly');
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]).toMatchObject({ severity: 'high', userId, ipAddress: ip, country: 'US' });
    expect(anomalies[0]?.metadata).toMatchObject({ reason: 'impossible_speed', previousCountry: 'DE' });
    expect(Number((anomalies[0]?.metadata as { distanceKm: number }).distanceKm)).toBeGreaterThan(6000);

    const alerts = await eventually(
      () =>
        db
          .select()
          .from(securityAlerts)
          .where(and(eq(securityAlerts.userId, userId), eq(securityAlerts.type, 'geographic_anomaly'))),
      (found) => found.length > 0,
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: 'open', severity: 'high', count: 1, subject: userId });
  });

  it('records nothing for two logins from the same place', async () => {
    const account = await signUpAs();
    const userId = account.user.id;
    expect((await logIn(account.email, { cf: BERLIN })).status).toBe(200);
    await untilUserHas(userId, 'login_success', 1);
    expect((await logIn(account.email, { cf: BERLIN })).status).toBe(200);
    const rows = await untilUserHas(userId, 'login_success', 2);
    expect(ofType(rows, 'login_success')).toHaveLength(2);
    expect(ofType(rows, 'geographic_anomaly')).toHaveLength(0);
  });
});

describe('rapid refresh', () => {
  it('records rapid_token_refresh at the 10th refresh of a session, not the 9th', async () => {
    const account = await signUpAs();
    const userId = account.user.id;
    let token = account.refreshToken;
    // One fresh IP per refresh: the refresh rate limit (10/min) is per IP.
    for (let i = 1; i <= 9; i++) {
      const res = await refresh(token);
      expect(res.status, `refresh ${i}`).toBe(200);
      token = res.body.refreshToken;
    }
    const afterNinth = await untilUserHas(userId, 'token_refreshed', 9);
    expect(ofType(afterNinth, 'token_refreshed')).toHaveLength(9);
    expect(ofType(afterNinth, 'rapid_token_refresh')).toHaveLength(0);

    const tenth = await refresh(token);
    expect(tenth.status).toBe(200);
    const afterTenth = await untilUserHas(userId, 'token_refreshed', 10);
    const rapid = ofType(afterTenth, 'rapid_token_refresh');
    expect(rapid).toHaveLength(1);
    expect(rapid[0]?.severity).toBe('high');
    expect(rapid[0]?.metadata).toMatchObject({ refreshes: 10, windowSeconds: 600 });

    const alerts = await eventually(
      () =>
        db
          .select()
          .from(securityAlerts)
          .where(and(eq(securityAlerts.userId, userId), eq(securityAlerts.type, 'rapid_token_refresh'))),
      (found) => found.length > 0,
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.status).toBe('open');
  });
});

// Issue 13 raised the bot threshold from 50 to 120 a minute: above signup's 50 and login's 60 failures per IP.
describe('bot activity', () => {
  const hitMe = (ip: string, times: number) =>
    (async () => {
      for (let i = 0; i < times; i++) {
        const res = await api('/api/auth/me', { ip });
        expect(res.status).toBe(401);
      }
    })();

  it('blocks an IP at 120 requests to one route within a minute, and refuses it on login with 429 IP_BLOCKED', async () => {
    const ip = randomIp();
    await hitMe(ip, 120);
    const rows = await eventually(
      () => eventsFromIp(ip),
      (found) => ofType(found, 'ip_address_blocked').length > 0,
    );
    const bot = ofType(rows, 'bot_activity_detected');
    expect(bot).toHaveLength(1);
    expect(bot[0]?.severity).toBe('warning');
    expect(bot[0]?.metadata).toMatchObject({ route: 'GET /api/auth/me', requests: 120, windowSeconds: 60 });
    const blocked = ofType(rows, 'ip_address_blocked');
    expect(blocked).toHaveLength(1);
    expect(blocked[0]?.metadata).toMatchObject({ reason: 'bot_activity' });

    const login = await logIn(uniqueEmail('blocked'), { ip });
    expect(login.status).toBe(429);
    expect(login.body).toMatchObject({ error: 'IP_BLOCKED' });
    const retryAfter = Number(login.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(1700);
    expect(retryAfter).toBeLessThanOrEqual(1800);
  });

  it('does not block an IP at 119 requests', async () => {
    const ip = randomIp();
    await hitMe(ip, 119);
    const login = await logIn(uniqueEmail('not-blocked'), { ip });
    expect(login.status).toBe(401);
    expect(login.body).toMatchObject({ error: 'INVALID_CREDENTIALS' });
    const rows = await eventually(
      () => eventsFromIp(ip),
      (found) => ofType(found, 'login_failed').length > 0,
    );
    expect(ofType(rows, 'bot_activity_detected')).toHaveLength(0);
    expect(ofType(rows, 'ip_address_blocked')).toHaveLength(0);
  });
});

describe('bot activity: one route, whatever its parameters', () => {
  it('counts DELETE /api/auth/sessions/:id as one route, so 120 requests with 120 different ids block the IP', async () => {
    // Contract: "120 requests from one IP to one route" (50 before issue 13 raised it above every
    // per-IP limit). A scanner walking session ids is one route.
    const ip = randomIp();
    for (let i = 0; i < 120; i++) {
      const res = await api(`/api/auth/sessions/${crypto.randomUUID()}`, { method: 'DELETE', ip });
      expect(res.status).toBe(401);
    }
    const rows = await eventually(
      () => eventsFromIp(ip),
      (found) => ofType(found, 'ip_address_blocked').length > 0,
    );
    expect(ofType(rows, 'bot_activity_detected')).toHaveLength(1);
    expect(ofType(rows, 'ip_address_blocked')).toHaveLength(1);
    expect((await logIn(uniqueEmail('walker'), { ip })).body).toMatchObject({ error: 'IP_BLOCKED' });
  });
});

describe('suspicious user agent', () => {
  const loginWith = async (userAgent: string) => {
    const ip = randomIp();
    const res = await api('/api/auth/login', {
      body: { email: uniqueEmail('ua'), password: 'not the password' },
      ip,
      headers: { 'user-agent': userAgent },
    });
    expect(res.status).toBe(401);
    return eventually(
      () => eventsFromIp(ip),
      (found) => ofType(found, 'login_failed').length > 0,
    );
  };

  it('records suspicious_activity for sqlmap', async () => {
    const rows = await loginWith('sqlmap/1.7');
    const found = ofType(rows, 'suspicious_activity');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'warning', userAgent: 'sqlmap/1.7' });
    expect(found[0]?.metadata).toMatchObject({
      reason: 'suspicious_user_agent',
      match: 'sqlmap',
      route: 'POST /api/auth/login',
    });
  });

  it('records suspicious_activity for an empty user agent', async () => {
    const rows = await loginWith('');
    const found = ofType(rows, 'suspicious_activity');
    expect(found).toHaveLength(1);
    expect(found[0]?.metadata).toMatchObject({ reason: 'suspicious_user_agent', match: 'empty' });
  });

  it('records nothing for a normal browser', async () => {
    const rows = await loginWith(UA.firefox);
    expect(ofType(rows, 'suspicious_activity')).toHaveLength(0);
  });
});

describe('device fingerprint mismatch', () => {
  it('records device_fingerprint_mismatch for a refresh from another browser in the same country', async () => {
    const account = await signUpAs({ ua: UA.chrome, cf: BERLIN });
    const userId = account.user.id;
    const res = await refresh(account.refreshToken, { ua: UA.firefox, cf: BERLIN });
    expect(res.status).toBe(200);
    const rows = await untilUserHas(userId, 'token_refreshed', 1);
    const mismatch = ofType(rows, 'device_fingerprint_mismatch');
    expect(mismatch).toHaveLength(1);
    expect(mismatch[0]).toMatchObject({ severity: 'warning', userAgent: UA.firefox, country: 'DE' });
    expect(mismatch[0]?.tokenId).not.toBeNull();
    expect(ofType(rows, 'suspicious_token_usage')).toHaveLength(0);
  });

  // Issue 13: a refresh whose device and country both changed now ends the session by default
  // (risk.refreshPolicy.high = end_session): 401 TOKEN_REVOKED instead of a new pair.
  it('also records suspicious_token_usage (high) when the country changed too, and ends the session', async () => {
    const account = await signUpAs({ ua: UA.chrome, cf: BERLIN });
    const userId = account.user.id;
    const res = await refresh(account.refreshToken, { ua: UA.firefox, cf: NEW_YORK });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'TOKEN_REVOKED' });
    const rows = await untilUserHas(userId, 'suspicious_token_usage', 1);
    expect(ofType(rows, 'device_fingerprint_mismatch')).toHaveLength(1);
    const suspicious = ofType(rows, 'suspicious_token_usage');
    expect(suspicious).toHaveLength(1);
    expect(suspicious[0]).toMatchObject({ severity: 'high', country: 'US' });
    expect(suspicious[0]?.metadata).toMatchObject({
      from: 'DE',
      to: 'US',
      signals: ['device_fingerprint_mismatch', 'country_change'],
    });
  });

  it('records no mismatch for a refresh from the same browser', async () => {
    const account = await signUpAs({ ua: UA.chrome, cf: BERLIN });
    const userId = account.user.id;
    expect((await refresh(account.refreshToken, { ua: UA.chrome, cf: BERLIN })).status).toBe(200);
    const rows = await untilUserHas(userId, 'token_refreshed', 1);
    expect(ofType(rows, 'device_fingerprint_mismatch')).toHaveLength(0);
    expect(ofType(rows, 'suspicious_token_usage')).toHaveLength(0);
  });
});
