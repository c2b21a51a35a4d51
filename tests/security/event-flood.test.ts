/**
 * Unauthenticated requests cannot flood the event log: repeats of a refused Bearer token or of a 429
 * from one IP fold into one row per (type, IP, reason, minute) with a count, and the Bearer routes
 * have a per-IP rate limit of their own.
 */
import { describe, expect, it } from 'vitest';
import { api, randomIp } from '../auth/api';
import { eventsFromIp, eventually } from '../support';
import { DEFAULT_SECURITY_CONFIG } from '../../src/lib/detection/security-config';

const countOf = (metadata: Record<string, unknown>) => Number(metadata.count ?? 0);

describe('event flood folding', () => {
  it('40 refused Bearer tokens from one IP write at most one row a minute, with their count', async () => {
    const ip = randomIp();
    for (let i = 0; i < 40; i++) {
      const res = await api('/api/auth/me', { ip, token: `forged-${i}` });
      expect(res.status).toBe(401);
    }
    const rows = await eventually(
      async () => (await eventsFromIp(ip)).filter((r) => r.eventType === 'token_verification_failed'),
      (found) => found.reduce((sum, r) => sum + countOf(r.metadata), 0) >= 20,
      5000,
    );
    // At most two rows: the 40 requests may straddle a minute boundary.
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.length).toBeLessThanOrEqual(2);
    expect(rows.every((r) => r.metadata.route === 'GET /api/auth/me' && r.metadata.reason === 'TOKEN_INVALID')).toBe(
      true,
    );
    // A row's count is written back at each power of two: at least half the true count.
    expect(rows.reduce((sum, r) => sum + countOf(r.metadata), 0)).toBeGreaterThanOrEqual(20);
  });

  // Refresh, not login: login is limited per (IP, email) since issue 13, and new emails from one
  // address are credential stuffing (a guarded address, 429 IP_BLOCKED), not a rate limit.
  it('repeated 429s from one IP fold the same way', async () => {
    const ip = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      statuses.push((await api('/api/auth/refresh', { ip, body: { refreshToken: `flood-${i}` } })).status);
    }
    const limited = statuses.filter((s) => s === 429).length;
    // Exactly the limit is allowed, or a few more when the run straddles a window boundary (the
    // sliding window weighs the previous window by what is left of it): never fewer.
    const { requests } = DEFAULT_SECURITY_CONFIG.rateLimits.refresh;
    expect(25 - limited).toBeGreaterThanOrEqual(requests);
    expect(25 - limited).toBeLessThanOrEqual(2 * requests);
    const rows = await eventually(
      async () => (await eventsFromIp(ip)).filter((r) => r.eventType === 'rate_limit_exceeded'),
      (found) => found.reduce((sum, r) => sum + countOf(r.metadata), 0) >= limited / 2,
      5000,
    );
    expect(rows.length).toBeLessThanOrEqual(2);
    expect(rows.reduce((sum, r) => sum + countOf(r.metadata), 0)).toBeGreaterThanOrEqual(limited / 2);
  });

  it('Bearer routes share a per-IP rate limit with the contract headers', async () => {
    const ip = randomIp();
    const { requests, windowSeconds } = DEFAULT_SECURITY_CONFIG.rateLimits.bearer;
    const first = await api('/api/auth/me', { ip, token: 'forged' });
    expect(first.headers.get('RateLimit-Policy')).toBe(`${requests};w=${windowSeconds}`);
    // The sliding window weighs the previous window's count by the share of it still inside the last
    // minute, so a run that straddles a window boundary is refused a little later than request 301:
    // never earlier, and well before twice the limit.
    let last = first;
    let allowed = first.status === 429 ? 0 : 1;
    while (last.status !== 429 && allowed < 2 * requests) {
      last = await api(allowed % 2 ? '/api/auth/sessions' : '/api/auth/me', { ip, token: 'forged' });
      if (last.status !== 429) allowed += 1;
    }
    expect(allowed).toBeGreaterThanOrEqual(requests);
    expect(last.status).toBe(429);
    expect(last.body).toMatchObject({ error: 'RATE_LIMIT_EXCEEDED', retryAfter: expect.any(Number) });
    expect(last.headers.get('Retry-After')).toMatch(/^\d+$/);
  }, 120_000);
});
