/**
 * Traffic for the page test, sent over HTTP to the served auth Worker as clients would: sign-ups,
 * logins, failed logins, and a brute force from one IP (5 wrong passwords for one email: the IP is
 * blocked and an alert raised, contract: Detection rules). Each client has its own CF-Connecting-IP,
 * so the per-IP rate limits (signup 3/min, login 5/min) never refuse the seeding itself.
 */
import pg from 'pg';
import { postgresUrl, stackProfile } from '../../scripts/stack/profile.ts';

export const PASSWORD = 'correct horse battery staple';
const WRONG = 'not the right password at all';
const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36';

export interface Account {
  email: string;
  id: string;
  accessToken: string;
}

let ipCounter = Math.floor(Math.random() * 200);
/** A fresh documentation address (RFC 5737 TEST-NET-3) per client. */
export const nextIp = () => `203.0.113.${(ipCounter++ % 250) + 1}`;
export const uniqueEmail = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}@example.com`;

export async function post(authUrl: string, path: string, body: unknown, ip: string) {
  const res = await fetch(`${authUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip, 'user-agent': BROWSER_UA },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
}

export async function signUp(authUrl: string, label: string): Promise<Account> {
  const email = uniqueEmail(label);
  const res = await post(authUrl, '/api/auth/signup', { email, password: PASSWORD, name: label }, nextIp());
  if (res.status !== 201) throw new Error(`signup answered ${res.status}`);
  return { email, id: (res.body.user as { id: string }).id, accessToken: res.body.accessToken as string };
}

export async function logIn(authUrl: string, email: string, password = PASSWORD, ip = nextIp()) {
  return post(authUrl, '/api/auth/login', { email, password, deviceName: 'Seeded laptop' }, ip);
}

/** 5 wrong passwords for `email` from one IP: the brute-force rule blocks it and raises an alert. */
export async function bruteForce(authUrl: string, email: string, ip: string): Promise<void> {
  for (let i = 0; i < 5; i += 1) {
    const res = await logIn(authUrl, email, WRONG, ip);
    if (res.status !== 401) throw new Error(`wrong password #${i + 1} answered ${res.status}`);
  }
}

/** Some ordinary traffic: logins that succeed and fail, from many addresses. */
export async function ordinaryTraffic(authUrl: string, accounts: Account[]): Promise<void> {
  for (const account of accounts) {
    await logIn(authUrl, account.email);
    await logIn(authUrl, account.email, WRONG);
  }
  await logIn(authUrl, uniqueEmail('nobody'), WRONG);
}

/** One statement on the test stack's Postgres (a connection of its own). */
export async function sql<R extends pg.QueryResultRow>(text: string, params: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: postgresUrl(stackProfile('test')) });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** As `npm run user:role` does: the role lives in the users table, read on every dashboard request. */
export async function makeAdmin(userId: string): Promise<void> {
  await sql(`update users set role = 'admin', updated_at = now() where id = $1`, [userId]);
}
