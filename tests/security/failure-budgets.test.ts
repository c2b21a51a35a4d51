/**
 * Failure budgets beyond (email, IP) (docs/security.md, Rules): guessing one account from many
 * addresses locks its password logins for unknown devices; failures across many accounts from one
 * address (or its IPv6 /64) guard that address. Whoever knows only an email cannot lock its owner
 * out: the owner's device (the fingerprint of an earlier session) keeps signing in.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api, PASSWORD, randomIp, uniqueEmail, type Reply, type Tokens } from '../auth/api';
import { testEnv } from '../test-env';
import { createRedis } from '../../src/lib/storage/redis';
import { securityAlerts, users, type SecurityEventRow } from '../../src/lib/storage/schema';
import { db, eventsFromIp, eventsOfUser, eventually } from '../support';

const redis = createRedis({ url: testEnv.UPSTASH_REDIS_REST_URL, token: testEnv.UPSTASH_REDIS_REST_TOKEN });

const OWNER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const ATTACKER_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const WRONG = 'not the right password at all';

const ofType = (rows: SecurityEventRow[], type: string) => rows.filter((r) => r.eventType === type);

const login = (email: string, password: string, ip: string, ua: string): Promise<Reply> =>
  api('/api/auth/login', { body: { email, password }, ip, headers: { 'user-agent': ua } });

/** An account whose one session so far was opened by the owner's browser. */
async function owner(): Promise<Tokens & { email: string }> {
  const email = uniqueEmail('owner');
  const res = await api<Tokens>('/api/auth/signup', {
    body: { email, password: PASSWORD, name: 'Owner' },
    ip: randomIp(),
    headers: { 'user-agent': OWNER_UA },
  });
  expect(res.status).toBe(201);
  return { ...res.body, email };
}

const lockOf = async (userId: string) =>
  (await db.select({ until: users.lockedUntil, reason: users.lockReason }).from(users).where(eq(users.id, userId)))[0];

describe('distributed brute force: one account, many addresses, a few guesses each', () => {
  it('locks password logins for unknown devices at the 10th failure; the owner signs in from its own device', async () => {
    const account = await owner();
    // Five addresses, two guesses each: no (email, IP) budget of 5 comes near to filling.
    for (let address = 0; address < 5; address += 1) {
      const ip = randomIp();
      for (let guess = 0; guess < 2; guess += 1)
        expect((await login(account.email, WRONG, ip, ATTACKER_UA)).status).toBe(401);
    }
    const rows = await eventually(
      () => eventsOfUser(account.user.id),
      (found) => ofType(found, 'user_account_locked').length > 0,
    );
    const detected = ofType(rows, 'distributed_brute_force_detected');
    expect(detected).toHaveLength(1);
    expect(detected[0]).toMatchObject({ severity: 'high' });
    expect(detected[0]?.metadata).toMatchObject({ failures: 10, windowSeconds: 3600, locked: true });
    expect(ofType(rows, 'user_account_locked')[0]?.metadata).toMatchObject({ reason: 'distributed_brute_force' });
    expect(ofType(rows, 'brute_force_detected')).toHaveLength(0);
    expect((await lockOf(account.user.id))?.reason).toBe('repeated_brute_force');

    // The attacker, from yet another address, is refused alike for the right and a wrong password.
    const right = await login(account.email, PASSWORD, randomIp(), ATTACKER_UA);
    const wrong = await login(account.email, WRONG, randomIp(), ATTACKER_UA);
    expect(right.status).toBe(423);
    expect(right.body).toMatchObject({ error: 'ACCOUNT_LOCKED' });
    expect(wrong.status).toBe(423);
    expect(wrong.body).toEqual(right.body);

    // The owner, on the device of its earlier session, from an address never seen before: signed in.
    const mine = await login(account.email, PASSWORD, randomIp(), OWNER_UA);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ user: { id: account.user.id } });

    const alerts = await eventually(
      () =>
        db
          .select()
          .from(securityAlerts)
          .where(
            and(
              eq(securityAlerts.type, 'distributed_brute_force_detected'),
              eq(securityAlerts.userId, account.user.id),
            ),
          ),
      (found) => found.length > 0,
    );
    expect(alerts[0]).toMatchObject({ status: 'open', severity: 'high' });
  });
});

describe('known devices: an attacker who knows only the email cannot stop the owner', () => {
  it('three per-address brute forces lock the account for strangers, never for the owner’s device', async () => {
    const account = await owner();
    for (let round = 0; round < 3; round += 1) {
      const ip = randomIp();
      for (let guess = 0; guess < 5; guess += 1) {
        const res = await login(account.email, WRONG, ip, ATTACKER_UA);
        expect([401, 423]).toContain(res.status); // 423 once the account locks (at the 10th failure)
      }
    }
    await eventually(
      () => eventsOfUser(account.user.id),
      (found) => ofType(found, 'user_account_locked').length > 0,
    );
    expect((await lockOf(account.user.id))?.until?.getTime()).toBeGreaterThan(Date.now() + 25 * 60_000);
    expect((await login(account.email, PASSWORD, randomIp(), ATTACKER_UA)).status).toBe(423);
    // The owner's device: its wrong password is an ordinary 401 (no lock shown), its right one a 200.
    const typo = await login(account.email, WRONG, randomIp(), OWNER_UA);
    expect(typo.status).toBe(401);
    expect((await login(account.email, PASSWORD, randomIp(), OWNER_UA)).status).toBe(200);
  });

  it("a brute-force lock never replaces an operator's lock", async () => {
    const account = await owner();
    const until = new Date(Date.now() + 2 * 3600_000);
    await db.update(users).set({ lockedUntil: until, lockReason: 'admin_lock' }).where(eq(users.id, account.user.id));
    for (let guess = 0; guess < 10; guess += 1) {
      expect((await login(account.email, WRONG, randomIp(), ATTACKER_UA)).status).toBe(423);
    }
    // Refused logins of a locked account are no guesses; the lock stays the operator's.
    expect(await lockOf(account.user.id)).toEqual({ until, reason: 'admin_lock' });
    expect((await login(account.email, PASSWORD, randomIp(), OWNER_UA)).status).toBe(423);
  });
});

describe('credential stuffing: one address, many accounts', () => {
  it('guards the address at the 5th account: strangers refused alike, known devices and signups go on', async () => {
    const ip = randomIp();
    const victim = await owner();
    for (let i = 0; i < 5; i += 1) {
      expect((await login(uniqueEmail('list'), WRONG, ip, ATTACKER_UA)).status).toBe(401);
    }
    const rows = await eventually(
      () => eventsFromIp(ip),
      (found) => ofType(found, 'credential_stuffing_detected').length > 0,
    );
    const detected = ofType(rows, 'credential_stuffing_detected');
    expect(detected).toHaveLength(1);
    expect(detected[0]).toMatchObject({ severity: 'high', userId: null, ipAddress: ip });
    expect(detected[0]?.metadata).toMatchObject({ reason: 'many_accounts', accounts: 5, windowSeconds: 600 });
    const ttl = await redis.ttl(`auth:fail-ip-accounts:${ip}`);
    expect(ttl).toBeGreaterThan(500); // a ten-minute window: a slow list is counted too
    expect(ttl).toBeLessThanOrEqual(600);

    // The list's next pair, right or wrong, gets the same refusal.
    const right = await login(victim.email, PASSWORD, ip, ATTACKER_UA);
    const wrong = await login(victim.email, WRONG, ip, ATTACKER_UA);
    expect(right.status).toBe(429);
    expect(right.body).toMatchObject({ error: 'IP_BLOCKED', retryAfter: expect.any(Number) });
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(3500);
    expect(wrong.status).toBe(429);
    expect(wrong.body.error).toBe('IP_BLOCKED');

    // The victim itself, behind the same address, on its own device: signed in.
    expect((await login(victim.email, PASSWORD, ip, OWNER_UA)).status).toBe(200);
    // Signing up is not a password guess: a colleague behind the address still joins.
    const joined = await api('/api/auth/signup', {
      body: { email: uniqueEmail('colleague'), password: PASSWORD, name: 'Colleague' },
      ip,
    });
    expect(joined.status).toBe(201);

    const alerts = await eventually(
      () =>
        db
          .select()
          .from(securityAlerts)
          .where(and(eq(securityAlerts.type, 'credential_stuffing_detected'), eq(securityAlerts.ip, ip))),
      (found) => found.length > 0,
    );
    expect(alerts).toHaveLength(1);
  });

  it('one person retrying its own account behind a shared address is not stuffing', async () => {
    const ip = randomIp();
    const email = uniqueEmail('retry');
    for (let i = 0; i < 4; i += 1) expect((await login(email, WRONG, ip, OWNER_UA)).status).toBe(401);
    for (let i = 0; i < 3; i += 1)
      expect((await login(uniqueEmail('colleague'), WRONG, ip, OWNER_UA)).status).toBe(401);
    const rows = await eventually(
      () => eventsFromIp(ip),
      (found) => ofType(found, 'login_failed').length >= 7,
    );
    expect(ofType(rows, 'credential_stuffing_detected')).toHaveLength(0);
  });

  it("guards the address at the day's 100th failure, whatever the accounts", async () => {
    const ip = randomIp();
    await redis.set(`auth:fail-ip-day:${ip}`, 99, { ex: 86_000 });
    expect((await login(uniqueEmail('daily'), WRONG, ip, ATTACKER_UA)).status).toBe(401);
    const rows = await eventually(
      () => eventsFromIp(ip),
      (found) => ofType(found, 'credential_stuffing_detected').length > 0,
    );
    expect(ofType(rows, 'credential_stuffing_detected')[0]?.metadata).toMatchObject({
      reason: 'daily_failures',
      failures: 100,
      windowSeconds: 86_400,
    });
    expect((await login(uniqueEmail('daily'), WRONG, ip, ATTACKER_UA)).body.error).toBe('IP_BLOCKED');
  });

  it('counts an IPv6 /64 as one address', async () => {
    const b = crypto.getRandomValues(new Uint16Array(2));
    const net = `2001:db8:${b[0]!.toString(16)}:${b[1]!.toString(16)}`;
    for (let i = 1; i <= 5; i += 1) {
      expect((await login(uniqueEmail('v6list'), WRONG, `${net}::${i}`, ATTACKER_UA)).status).toBe(401);
    }
    const elsewhereInNet = await login(uniqueEmail('v6list'), WRONG, `${net}:ffff::9`, ATTACKER_UA);
    expect(elsewhereInNet.body.error).toBe('IP_BLOCKED');
    const nextNet = await login(uniqueEmail('v6list'), WRONG, `2001:db8:ffff:${b[1]!.toString(16)}::1`, ATTACKER_UA);
    expect(nextNet.status).toBe(401);
  });
});
