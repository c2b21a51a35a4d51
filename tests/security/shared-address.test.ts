/**
 * Rate limits that fit shared addresses (docs/security.md, Rate limits; issue 13): an office behind
 * one address signs its people up and in within a minute; a login takes a slot per (IP, email); the
 * per-IP ceiling counts failed logins only, so people who sign in correctly do not spend it.
 */
import { describe, expect, it } from 'vitest';
import { api, PASSWORD, randomIp, uniqueEmail, type Tokens } from '../auth/api';
import { eventsFromIp, eventually, expectRateLimitExceeded } from '../support';

describe('an office of 20 behind one address', () => {
  it('signs 20 people up and logs them in within a minute, none refused', { timeout: 60_000 }, async () => {
    const ip = randomIp();
    const emails = Array.from({ length: 20 }, () => uniqueEmail('office'));
    for (const email of emails) {
      const res = await api<Tokens>('/api/auth/signup', { body: { email, password: PASSWORD, name: 'Staff' }, ip });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    for (const email of emails) {
      const res = await api('/api/auth/login', { body: { email, password: PASSWORD }, ip });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.headers.get('ratelimit-policy')).toBe('10;w=60');
      expect(res.headers.get('ratelimit-remaining')).toBe('9'); // each person's own window
    }
    const rows = await eventsFromIp(ip);
    expect(rows.filter((r) => r.eventType === 'rate_limit_exceeded')).toHaveLength(0);
  });
});

describe('the per-IP ceiling on failed logins (60 a minute)', () => {
  it('is not spent by successful logins', { timeout: 60_000 }, async () => {
    const ip = randomIp();
    // 70 correct logins by 7 people behind one address: over the ceiling's 60, never refused.
    const people = await Promise.all(
      Array.from({ length: 7 }, async () => {
        const email = uniqueEmail('ok');
        const res = await api('/api/auth/signup', { body: { email, password: PASSWORD, name: 'Ok' }, ip: randomIp() });
        expect(res.status).toBe(201);
        return email;
      }),
    );
    for (let round = 0; round < 10; round += 1) {
      for (const email of people) {
        expect((await api('/api/auth/login', { body: { email, password: PASSWORD }, ip })).status).toBe(200);
      }
    }
  });

  it('refuses every login from the address once 60 failures filled it', { timeout: 90_000 }, async () => {
    const ip = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      statuses.push(
        (await api('/api/auth/login', { body: { email: uniqueEmail('fill'), password: 'wrong pw!' }, ip })).status,
      );
    }
    // Failures all: 401 until the 5th account guards the address (stuffing), then 429 IP_BLOCKED.
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    // The ceiling is a sliding window: a run that straddles a window boundary weighs the earlier
    // failures down, so the refusal may take a few more failures than 60 (each one a guarded 429
    // meanwhile), never fewer.
    let next = await api('/api/auth/login', { body: { email: uniqueEmail('fill'), password: 'wrong pw!' }, ip });
    for (let extra = 0; next.body.error !== 'RATE_LIMIT_EXCEEDED' && extra < 60; extra += 1) {
      expect(next.status).toBe(429);
      next = await api('/api/auth/login', { body: { email: uniqueEmail('fill'), password: 'wrong pw!' }, ip });
    }
    expect(next.status).toBe(429);
    expectRateLimitExceeded(next);
    expect(next.headers.get('ratelimit-policy')).toBe('60;w=60');
    const rows = await eventually(
      () => eventsFromIp(ip),
      (found) => found.some((r) => r.eventType === 'rate_limit_exceeded'),
    );
    expect(rows.find((r) => r.eventType === 'rate_limit_exceeded')?.metadata).toMatchObject({
      route: 'POST /api/auth/login',
      limit: 60,
      rule: 'loginFailures',
    });
  });
});
