/** One IPv6 host holds a /64: per-IP limits and blocks must not be stepped around by changing address. */
import { describe, expect, it } from 'vitest';
import { api, signUp } from '../auth/api';

const prefix = () => {
  const b = crypto.getRandomValues(new Uint16Array(2));
  return `2001:db8:${b[0]!.toString(16)}:${b[1]!.toString(16)}`;
};

describe('IPv6 clients are counted by their /64', () => {
  it('rate-limits logins across addresses of one /64, not per address', async () => {
    const net = prefix();
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++) {
      const res = await api('/api/auth/login', {
        body: { email: `nobody-${crypto.randomUUID()}@example.com`, password: 'whatever pass' },
        ip: `${net}::${i}`,
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('a brute-force block of one address holds for its whole /64, and not for the next /64', async () => {
    const user = await signUp();
    const net = prefix();
    for (let i = 1; i <= 5; i++) {
      expect(
        (await api('/api/auth/login', { body: { email: user.email, password: 'wrong password!' }, ip: `${net}::${i}` }))
          .status,
      ).toBe(401);
    }
    const sameNet = await api('/api/auth/login', {
      body: { email: user.email, password: 'wrong password!' },
      ip: `${net}:ffff:ffff:ffff:fff0`,
    });
    expect(sameNet.body.error).toBe('IP_BLOCKED');
    const otherNet = await api('/api/auth/login', {
      body: { email: user.email, password: 'wrong password!' },
      ip: `${prefix()}::1`,
    });
    expect(otherNet.status).toBe(401);
  });
});
