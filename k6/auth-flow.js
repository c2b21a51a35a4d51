// k6 load test of the auth hot paths: signup once per virtual user, then login, refresh and /me in a loop.
// Run against a deployed or local service: k6 run -e BASE_URL=http://127.0.0.1:8787 k6/auth-flow.js
// Each virtual user sends its own CF-Connecting-IP (honoured locally by wrangler dev, set by Cloudflare's
// edge in production), so per-IP rate limits apply per virtual user as they would to real clients.
// Not run in CI: k6 cannot be installed on our CI machines (no Debian package; the npm `k6` is typings only).
import http from 'k6/http';
import { check, sleep } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8787';

export const options = {
  scenarios: {
    auth: {
      executor: 'ramping-vus',
      startVUs: 1,
      stages: [
        { duration: '30s', target: 20 },
        { duration: '1m', target: 20 },
        { duration: '10s', target: 0 },
      ],
    },
  },
  thresholds: {
    'http_req_duration{route:refresh}': ['p(95)<100'],
    'http_req_duration{route:me}': ['p(95)<50'],
    'http_req_failed{expected:yes}': ['rate<0.01'],
  },
};

/** @param {string} ip @param {Record<string, unknown>} [extra] */
const json = (ip, extra = {}) => ({
  headers: {
    'content-type': 'application/json',
    'cf-connecting-ip': ip,
    'user-agent': 'Mozilla/5.0 k6-load Chrome/131.0',
  },
  ...extra,
});

export function setup() {
  return { password: 'k6 load test password ' + Date.now() };
}

/** @param {{ password: string }} data */
export default function (data) {
  const ip = `198.51.${Math.floor(__VU / 250)}.${__VU % 250}`;
  const email = `k6-${__VU}-${__ITER}-${Date.now()}@example.com`;
  const signup = http.post(
    `${BASE_URL}/api/auth/signup`,
    JSON.stringify({ email, password: data.password, name: 'k6' }),
    json(ip, { tags: { route: 'signup', expected: 'yes' } }),
  );
  check(signup, { 'signup 201': (r) => r.status === 201 });
  if (signup.status !== 201) return;
  let refreshToken = signup.json('refreshToken');
  for (let i = 0; i < 5; i++) {
    const refresh = http.post(
      `${BASE_URL}/api/auth/refresh`,
      JSON.stringify({ refreshToken }),
      json(ip, { tags: { route: 'refresh', expected: 'yes' } }),
    );
    check(refresh, { 'refresh 200': (r) => r.status === 200 });
    if (refresh.status !== 200) return;
    refreshToken = refresh.json('refreshToken');
    const me = http.get(`${BASE_URL}/api/auth/me`, {
      headers: { authorization: `Bearer ${refresh.json('accessToken')}`, 'cf-connecting-ip': ip },
      tags: { route: 'me', expected: 'yes' },
    });
    check(me, { 'me 200': (r) => r.status === 200 });
    sleep(1);
  }
  sleep(60 / 3); // stay under signup's 3/min per IP
}
