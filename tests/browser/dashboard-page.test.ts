/**
 * The security dashboard page in a real headless Chromium, against both Workers served on real ports
 * (tests/browser/serve-workers.ts) and the test stack: an admin signs in through the auth Worker (CORS,
 * another origin), reads tiles that match the API's figures, filters the events by an attacking IP,
 * lifts its block, locks and unlocks a user and acknowledges the brute force's alert, each checked
 * through the API; the page refreshes its token before expiry and signs out; a non-admin is refused
 * with a clear message. The page loads with no console error and talks to no origin but the two
 * Workers. A screenshot of the overview is written to .bench/browser/dashboard-overview.png.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium, launchChromium } from '../../scripts/browser/chromium.ts';
import { repoRoot } from '../../scripts/stack/profile.ts';
import { CONTRAST_PROBLEMS } from './contrast.ts';
import { confirmDialog, signInAt, tile, watch } from './page-driver.ts';
import { ACCESS_TTL, serveWorkers, type ServedWorkers } from './serve-workers.ts';
import { PASSWORD, bruteForce, logIn, makeAdmin, nextIp, ordinaryTraffic, signUp, sql, type Account } from './seed.ts';

const ARTEFACTS = join(repoRoot, '.bench/browser');

let served: ServedWorkers;
let browser: { context: BrowserContext; close: () => Promise<void> };
let admin: Account;
let member: Account;
let victim: Account;
let attackerIp: string;
let adminToken = '';
let adminTokenAt = 0;

/** The admin's access token for the test's own API calls, renewed when near its (short) expiry. */
async function adminBearer(): Promise<string> {
  if (Date.now() - adminTokenAt > (ACCESS_TTL - 20) * 1000) {
    const login = await logIn(served.authUrl, admin.email);
    expect(login.status).toBe(200);
    adminToken = login.body.accessToken as string;
    adminTokenAt = Date.now();
  }
  return adminToken;
}

async function dashboardApi<T>(path: string): Promise<T> {
  const res = await fetch(`${served.dashboardUrl}/api/auth/security${path}`, {
    headers: { authorization: `Bearer ${await adminBearer()}` },
  });
  expect(res.status, `GET ${path}`).toBe(200);
  return (await res.json()) as T;
}

const signIn = (page: Page, email: string) => signInAt(page, served.dashboardUrl, email, PASSWORD);

describe('the security dashboard page in Chromium', () => {
  beforeAll(async () => {
    ensureChromium(); // apt-get install -y chromium on a fresh machine (as root): up to a few minutes
    served = await serveWorkers();
    admin = await signUp(served.authUrl, 'page-admin');
    member = await signUp(served.authUrl, 'page-member');
    victim = await signUp(served.authUrl, 'page-victim');
    await makeAdmin(admin.id);
    await ordinaryTraffic(served.authUrl, [admin, member, victim]);
    attackerIp = nextIp();
    await bruteForce(served.authUrl, victim.email, attackerIp);
    // The brute force's block and alert are written after the 5th answer (deferred work): wait for them.
    for (
      let waited = 0;
      (await dashboardApi<{ blockedIps: number }>('/metrics?window=1h')).blockedIps === 0;
      waited += 200
    ) {
      if (waited > 10_000) throw new Error('the brute force blocked no IP within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await served?.dispose();
  });

  it('an admin signs in, reads figures that match the API, filters by the attacker, lifts its block, locks and unlocks a user', async () => {
    const page = await browser.context.newPage();
    const seen = watch(page);
    await signIn(page, admin.email);
    await expect
      .poll(() => page.getByRole('region', { name: 'Failed logins' }).isVisible(), { timeout: 15_000 })
      .toBe(true);

    // First paint, as the browser measured it (Paint Timing API), kept beside the screenshot.
    // (A string: this file is type-checked for Node, without the DOM's types.)
    const paint = await page.evaluate<number>(
      "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1",
    );
    expect(paint).toBeGreaterThan(0);

    // Let the sign-in's own events land, then read the last hour on the page and from the API.
    await page.waitForTimeout(1500);
    const loaded = page.waitForResponse((r) => r.url().includes('/metrics?window=1h') && r.ok());
    await page.getByRole('button', { name: '1h', exact: true }).click();
    await loaded;
    await page.waitForTimeout(300);
    const m = await dashboardApi<{
      successfulLogins: number;
      failedLogins: number;
      tokenRefreshes: number;
      rateLimitViolations: number;
      activeSessions: number;
      blockedIps: number;
      openAlerts: number;
    }>('/metrics?window=1h');
    const authEvents = m.successfulLogins + m.failedLogins + m.tokenRefreshes;
    expect(m.failedLogins).toBeGreaterThanOrEqual(9); // 3 + 1 ordinary failures, 5 from the attacker
    expect(await tile(page, 'Failed logins')).toBe(String(m.failedLogins));
    expect(await tile(page, 'Auth events')).toBe(authEvents.toLocaleString('en'));
    expect(await tile(page, 'Live sessions')).toBe(String(m.activeSessions));
    expect(await tile(page, 'Active blocks')).toBe(String(m.blockedIps));
    expect(await tile(page, 'Open alerts')).toBe(String(m.openAlerts));
    const threats = m.failedLogins + m.rateLimitViolations;
    expect(await tile(page, 'Threat share of traffic')).toBe(
      `${((100 * threats) / (authEvents + m.rateLimitViolations)).toFixed(1)}%`,
    );
    for (const n of [authEvents, m.failedLogins, m.activeSessions, m.blockedIps, m.openAlerts])
      expect(n).toBeGreaterThan(0);
    // The chart's figures are readable without it: the table view lists the buckets with traffic.
    await page.getByText('Show these figures as a table').click();
    expect(await page.locator('.series-table tbody tr').count()).toBeGreaterThan(0);
    expect(await page.evaluate<string[]>(CONTRAST_PROBLEMS), 'text below WCAG AA contrast').toEqual([]);
    mkdirSync(ARTEFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTEFACTS, 'dashboard-overview.png'), fullPage: true });
    writeFileSync(
      join(ARTEFACTS, 'dashboard-timings.json'),
      JSON.stringify({ firstContentfulPaintMs: paint }, null, 2),
    );

    // Events: filtered by the attacking IP, every row is from it, the brute force among them.
    // The tab's own unfiltered load is held back until the filtered reply has landed, so a late
    // reply of an earlier search must be dropped rather than appended (CI once saw them mixed).
    const unfiltered = (u: URL) => u.pathname.endsWith('/events') && !u.searchParams.has('ip');
    let releaseUnfiltered = () => {};
    const held = new Promise<void>((resolve) => (releaseUnfiltered = resolve));
    await page.route(unfiltered, async (route) => {
      await held;
      await route.continue();
    });
    const tabLoad = page.waitForResponse((r) => unfiltered(new URL(r.url())));
    await page.getByRole('button', { name: 'Events', exact: true }).click();
    await page.getByLabel('IP address').fill(attackerIp);
    const filtered = page.waitForResponse((r) => new URL(r.url()).searchParams.get('ip') === attackerIp && r.ok());
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await filtered;
    releaseUnfiltered();
    await tabLoad;
    await page.unroute(unfiltered);
    await page.waitForTimeout(300); // the late reply is read and handled (dropped) by now
    const rows = page.locator('table.events tbody tr');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(6);
    const ips = await rows.locator('td:nth-child(5)').allInnerTexts();
    expect(new Set(ips)).toEqual(new Set([attackerIp]));
    const types = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-event-type')));
    expect(types).toEqual(
      expect.arrayContaining(['failed_login_attempt', 'brute_force_detected', 'ip_address_blocked']),
    );
    // A click on a user in the timeline filters by that user instead (the IP filter cleared).
    const victimEvents = page.waitForResponse((r) => r.url().includes(`userId=${victim.id}`) && r.ok());
    await rows
      .first()
      .getByRole('button', { name: `Filter events by user ${victim.id}` })
      .click();
    await victimEvents;
    expect(await page.getByLabel('User id').inputValue()).toBe(victim.id);
    expect(await page.getByLabel('IP address').inputValue()).toBe('');
    await expect.poll(() => rows.count()).toBeGreaterThan(ips.length); // also the victim's own logins

    // Blocks: Unblock, confirmed in the page's dialog, and gone from the API's list.
    await page.getByRole('button', { name: 'Users and blocks' }).click();
    const unblock = page.locator(`button[data-ip="${attackerIp}"]`);
    await expect.poll(() => unblock.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await unblock.innerText()).toBe('Unblock');
    await unblock.click();
    await confirmDialog(page, 'Unblock');
    await expect.poll(() => page.locator('#act-result').innerText()).toBe(`Unblocked ${attackerIp}.`);
    const { blockedIps } = await dashboardApi<{ blockedIps: { ip: string }[] }>('/blocked-ips');
    expect(blockedIps.map((b) => b.ip)).not.toContain(attackerIp);

    // A user: Lock, then Unlock, each confirmed and visible through the API at once.
    await page.getByLabel('User email').fill(victim.email);
    await page.getByRole('button', { name: 'Find user' }).click();
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await confirmDialog(page, 'Lock');
    await expect.poll(() => page.locator('#act-result').innerText()).toMatch(/^Locked until /);
    type UserView = { user: { lockedUntil: string | null }; sessions: unknown[] };
    const locked = await dashboardApi<UserView>(`/users/${victim.id}`);
    expect(Date.parse(locked.user.lockedUntil ?? '')).toBeGreaterThan(Date.now() + 25 * 60_000);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await confirmDialog(page, 'Unlock');
    await expect.poll(() => page.locator('#act-result').innerText()).toBe('Unlocked.');
    expect((await dashboardApi<UserView>(`/users/${victim.id}`)).user.lockedUntil).toBeNull();
    expect((await dashboardApi<UserView>(`/users/${victim.id}`)).sessions.length).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Revoke sessions' }).click();
    await confirmDialog(page, 'Revoke sessions');
    await expect.poll(() => page.locator('#act-result').innerText()).toMatch(/^Revoked [1-9]\d* sessions\.$/);
    expect((await dashboardApi<UserView>(`/users/${victim.id}`)).sessions).toEqual([]);

    expect(seen.errors).toEqual([]);
    expect([...seen.origins].sort()).toEqual([served.authUrl, served.dashboardUrl].sort());
    await page.close();
  });

  it('shows the brute-force alert with its delivery status, and acknowledges it (checked through the API)', async () => {
    type Alert = {
      id: string;
      type: string;
      ip: string | null;
      userId: string | null;
      status: string;
      acknowledgedBy: string | null;
    };
    const { alerts } = await dashboardApi<{ alerts: Alert[] }>('/alerts?status=open');
    const alert = alerts.find(
      (a) => a.type === 'brute_force_detected' && (a.userId === victim.id || a.ip === attackerIp),
    );
    expect(alert, 'the brute force raised an open alert').toBeDefined();
    const page = await browser.context.newPage();
    const seen = watch(page);
    await signIn(page, admin.email);
    await expect
      .poll(() => page.getByRole('region', { name: 'Alert deliveries failing' }).isVisible(), { timeout: 15_000 })
      .toBe(true);
    expect(await tile(page, 'Alert deliveries failing')).toMatch(/^\d+$/);
    await page.getByRole('button', { name: 'Alerts', exact: true }).click();
    const row = page.locator('table.alerts-open tr', { has: page.locator(`button[data-alert="${alert?.id}"]`) });
    await expect.poll(() => row.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await row.locator('.delivery').innerText()).toMatch(/^(none|pending|sent|failed) \(\d+ attempts\)$/);
    expect(await row.getByRole('button', { name: 'Resolve' }).isVisible()).toBe(true);
    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByLabel('Note (optional)').fill('seen by the page test');
    await confirmDialog(page, 'Acknowledge');
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/is now acknowledged/);
    const acknowledged = await dashboardApi<{ alerts: Alert[] }>('/alerts?status=acknowledged');
    expect(acknowledged.alerts.find((a) => a.id === alert?.id)).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: admin.id,
    });
    // The note typed in the dialog is stored with the acknowledgement (the list does not show it).
    const [stored] = await sql<{ ack_note: string | null }>('select ack_note from security_alerts where id = $1', [
      alert?.id,
    ]);
    expect(stored?.ack_note).toBe('seen by the page test');
    expect(seen.errors).toEqual([]);
    await page.close();
  });

  it('refreshes the access token before it expires, goes on with the new one, and signs out', async () => {
    const page = await browser.context.newPage();
    const seen = watch(page);
    const bearers = new Set<string>();
    page.on('request', (req) => {
      const bearer = req.headers().authorization;
      if (bearer && req.url().startsWith(served.dashboardUrl)) bearers.add(bearer);
    });
    const signedInAt = Date.now();
    const refreshed = page.waitForResponse((r) => r.url() === `${served.authUrl}/api/auth/refresh`, {
      timeout: ACCESS_TTL * 1000,
    });
    await signIn(page, admin.email);
    const refresh = await refreshed;
    expect(refresh.status()).toBe(200);
    expect(Date.now() - signedInAt).toBeLessThan(ACCESS_TTL * 1000); // before the first token expired
    expect(refresh.request().postData()).not.toContain('accessToken'); // only the refresh token is sent

    const events = page.waitForResponse((r) => r.url().startsWith(`${served.dashboardUrl}/api/auth/security/events`));
    await page.getByRole('button', { name: 'Events', exact: true }).click();
    expect((await events).status()).toBe(200);
    expect(bearers.size, 'the dashboard API was called with the new token after the refresh').toBe(2);
    // Tokens live in memory only: nothing in the origin's storage for a later script to read.
    expect(await page.evaluate<number>('localStorage.length + sessionStorage.length')).toBe(0);

    // Sign out ends the session on the auth Worker (logout of the refresh token) and shows the sign-in.
    const logout = page.waitForResponse((r) => r.url() === `${served.authUrl}/api/auth/logout`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect((await logout).status()).toBe(204);
    await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
    expect(await page.locator('#app').isVisible()).toBe(false);
    expect(seen.errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('signs in by keyboard alone, and refuses a non-admin with a clear message and nothing of the dashboard', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${served.dashboardUrl}/`);
    expect(await page.evaluate<string[]>(CONTRAST_PROBLEMS), 'sign-in text below WCAG AA contrast').toEqual([]);
    // By keyboard alone: Tab reaches Email first, then Password; Enter signs in.
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('email');
    await page.keyboard.type(member.email);
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    const notice = page.getByRole('alert');
    await expect.poll(() => notice.innerText(), { timeout: 10_000 }).toMatch(/not an administrator/);
    expect(await page.locator('#app').isVisible()).toBe(false);
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    // The contrast check is not vacuous: faint text added to the page is caught.
    await page.evaluate(
      "document.body.append(Object.assign(document.createElement('p'), {textContent: 'faint text'})); document.body.lastChild.style.color = '#bbb'",
    );
    expect(await page.evaluate<string[]>(CONTRAST_PROBLEMS)).toEqual([
      expect.stringMatching(/^p "faint text" 1\.\d\d$/),
    ]);
    await page.close();
  });
});
