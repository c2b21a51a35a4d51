/**
 * Risk verdicts on real requests (issue 13): each login records its risk; a right password from a
 * device the account never used, where the signals add up to high, is refused like a wrong one (and
 * alerted), while the owner's own device is never refused; a refresh whose device and country both
 * changed ends the session.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api, PASSWORD, randomIp, uniqueEmail, type Tokens } from '../auth/api';
import { sessions, type SecurityEventRow } from '../../src/lib/storage/schema';
import { db, eventsOfUser, eventually } from '../support';

const OWNER_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15';
const ATTACKER_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const HOME = { country: 'DE', city: 'Berlin', latitude: 52.52, longitude: 13.405, asn: 3320, colo: 'TXL' };
const ELSEWHERE = { country: 'BR', city: 'Sao Paulo', latitude: -23.55, longitude: -46.63, asn: 28573, colo: 'GRU' };

const ofType = (rows: SecurityEventRow[], type: string) => rows.filter((r) => r.eventType === type);

const call = (path: string, body: unknown, r: { ip?: string; ua: string; cf: Record<string, unknown> }) =>
  api<Tokens>(path, { body, ip: r.ip ?? randomIp(), headers: { 'user-agent': r.ua }, cf: r.cf });

async function owner(): Promise<Tokens & { email: string }> {
  const email = uniqueEmail('risk');
  const res = await call('/api/auth/signup', { email, password: PASSWORD, name: 'Owner' }, { ua: OWNER_UA, cf: HOME });
  expect(res.status).toBe(201);
  return { ...res.body, email };
}

describe('the risk of a login', () => {
  it('is recorded on login_success: low for the owner at home on its device', async () => {
    const account = await owner();
    const res = await call('/api/auth/login', { email: account.email, password: PASSWORD }, { ua: OWNER_UA, cf: HOME });
    expect(res.status).toBe(200);
    const rows = await eventually(
      () => eventsOfUser(account.user.id),
      (found) => ofType(found, 'login_success').length > 0,
    );
    expect(ofType(rows, 'login_success')[0]?.metadata).toMatchObject({
      risk: { score: 0, level: 'low', signals: [], action: 'allow' },
    });
  });

  it('refuses a right password from a new device, network and country at an address failing across accounts', async () => {
    const account = await owner();
    const ip = randomIp();
    // A list in progress from this address: three accounts failed (the guard needs five).
    for (let i = 0; i < 3; i += 1) {
      const miss = await call(
        '/api/auth/login',
        { email: uniqueEmail('list'), password: 'nope nope' },
        { ip, ua: ATTACKER_UA, cf: ELSEWHERE },
      );
      expect(miss.status).toBe(401);
    }
    const wrong = await call(
      '/api/auth/login',
      { email: uniqueEmail('list'), password: 'nope nope' },
      { ip: randomIp(), ua: ATTACKER_UA, cf: ELSEWHERE },
    );
    const hit = await call(
      '/api/auth/login',
      { email: account.email, password: PASSWORD },
      { ip, ua: ATTACKER_UA, cf: ELSEWHERE },
    );
    expect(hit.status).toBe(401);
    expect(hit.body).toEqual(wrong.body); // the same answer as a wrong password: the list learns nothing

    const rows = await eventually(
      () => eventsOfUser(account.user.id),
      (found) => ofType(found, 'account_takeover_attempt').length > 0,
    );
    const attempt = ofType(rows, 'account_takeover_attempt')[0];
    expect(attempt).toMatchObject({ severity: 'critical', ipAddress: ip });
    expect(attempt?.metadata).toMatchObject({
      reason: 'risky_login_refused',
      risk: { level: 'high', action: 'refuse', signals: expect.arrayContaining(['newDevice', 'addressFailures']) },
    });
    expect(ofType(rows, 'login_success')).toHaveLength(0);
    const opened = await db.select().from(sessions).where(eq(sessions.userId, account.user.id));
    expect(opened).toHaveLength(1); // only the signup's

    // The owner, from the same address, same country and network as the attacker, on its own device: in.
    const mine = await call(
      '/api/auth/login',
      { email: account.email, password: PASSWORD },
      { ip, ua: OWNER_UA, cf: ELSEWHERE },
    );
    expect(mine.status).toBe(200);
  });
});

describe('the risk of a refresh', () => {
  it('ends the session when the token turns up on another device in another country', async () => {
    const account = await owner();
    const stolen = await call(
      '/api/auth/refresh',
      { refreshToken: account.refreshToken },
      { ua: ATTACKER_UA, cf: ELSEWHERE },
    );
    expect(stolen.status).toBe(401);
    expect(stolen.body).toMatchObject({ error: 'TOKEN_REVOKED' });
    const [session] = await db.select().from(sessions).where(eq(sessions.userId, account.user.id));
    expect(session?.revokedReason).toBe('risky_refresh');
    // The session's access token dies with it.
    expect((await api('/api/auth/me', { token: account.accessToken, ip: randomIp() })).status).toBe(401);
    const rows = await eventually(
      () => eventsOfUser(account.user.id),
      (found) => ofType(found, 'suspicious_token_usage').length > 0,
    );
    expect(ofType(rows, 'suspicious_token_usage')[0]?.metadata).toMatchObject({
      risk: { level: 'high', action: 'end_session' },
    });
    expect(ofType(rows, 'token_revoked')[0]?.metadata).toMatchObject({ reason: 'risky_refresh' });
  });

  it('lets the owner’s device refresh from a trip abroad', async () => {
    const account = await owner();
    const res = await call(
      '/api/auth/refresh',
      { refreshToken: account.refreshToken },
      { ua: OWNER_UA, cf: ELSEWHERE },
    );
    expect(res.status).toBe(200);
  });
});
