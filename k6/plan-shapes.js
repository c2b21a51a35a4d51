// The original plan's load shapes as k6 scenarios (constant arrival rates): signup 100 users/min, login
// 500 users/min, refresh 1000 req/min, and 1000 concurrent sessions each refreshing and calling /me.
// The numbers live in k6/scenarios.json, which npm run bench:load reads too.
// Run: k6 run -e BASE_URL=https://auth.example.com k6/plan-shapes.js (locally: http://127.0.0.1:8787).
// Each request sends its own CF-Connecting-IP (honoured by wrangler dev; set by Cloudflare's edge in
// production, where it must be left out): the plan's users are many clients, not one address.
// k6 cannot be installed here; CI type-checks this file against @types/k6 (k6/tsconfig.json).
import http from 'k6/http';
import { check, sleep } from 'k6';
import exec from 'k6/execution';

/** @type {{ scenarios: Record<string, Record<string, number | string>>, users: number, thresholds: Record<string, number>, maxFailedRate: number }} */
const plan = JSON.parse(open('./scenarios.json'));
const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8787';
const PASSWORD = 'k6 plan shapes password';
const s = plan.scenarios;

/** @param {number} perMinute */
const rate = (perMinute) => ({ executor: 'constant-arrival-rate', rate: perMinute, timeUnit: '1m' });

export const options = {
  scenarios: {
    signup: {
      ...rate(Number(s.signup.ratePerMinute)),
      duration: String(s.signup.duration),
      preAllocatedVUs: Number(s.signup.preAllocatedVUs),
      maxVUs: Number(s.signup.maxVUs),
      exec: 'signup',
    },
    login: {
      ...rate(Number(s.login.ratePerMinute)),
      duration: String(s.login.duration),
      preAllocatedVUs: Number(s.login.preAllocatedVUs),
      maxVUs: Number(s.login.maxVUs),
      exec: 'login',
    },
    refresh: {
      ...rate(Number(s.refresh.ratePerMinute)),
      duration: String(s.refresh.duration),
      preAllocatedVUs: Number(s.refresh.preAllocatedVUs),
      maxVUs: Number(s.refresh.maxVUs),
      exec: 'refresh',
    },
    sessions: {
      executor: 'constant-vus',
      vus: Number(s.sessions.concurrentSessions),
      duration: String(s.sessions.duration),
      exec: 'session',
    },
  },
  thresholds: {
    ...Object.fromEntries(
      Object.entries(plan.thresholds).map(([route, p95]) => [`http_req_duration{route:${route}}`, [`p(95)<${p95}`]]),
    ),
    http_req_failed: [`rate<${plan.maxFailedRate}`],
  },
};

/** A client address per request: 10.x.y.z from a counter, so no two requests share a per-IP limit. */
const ipOf = (/** @type {number} */ n) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
const uniqueIp = () => ipOf(exec.scenario.iterationInTest * 64 + exec.vu.idInTest);

/** @param {string} ip @param {string} route @param {string} [token] */
const params = (ip, route, token) => ({
  headers: {
    'content-type': 'application/json',
    'cf-connecting-ip': ip,
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) k6-plan Chrome/131.0',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  },
  tags: { route },
});

/** @param {string} email @param {string} ip */
function signUp(email, ip) {
  const res = http.post(
    `${BASE_URL}/api/auth/signup`,
    JSON.stringify({ email, password: PASSWORD, name: 'k6' }),
    params(ip, 'signup'),
  );
  check(res, { 'signup 201': (r) => r.status === 201 });
  return res;
}

/** Creates the login pool once: the users the login scenario signs in as. */
export function setup() {
  const stamp = Date.now();
  const emails = [];
  for (let i = 0; i < Math.min(plan.users, 200); i++) {
    const email = `k6-pool-${stamp}-${i}@example.com`;
    if (signUp(email, ipOf(1_000_000 + i)).status === 201) emails.push(email);
  }
  return { emails };
}

export function signup() {
  signUp(`k6-${Date.now()}-${exec.vu.idInTest}-${exec.scenario.iterationInTest}@example.com`, uniqueIp());
}

/** @param {{ emails: string[] }} data */
export function login(data) {
  const email = data.emails[exec.scenario.iterationInTest % data.emails.length];
  const res = http.post(
    `${BASE_URL}/api/auth/login`,
    JSON.stringify({ email, password: PASSWORD }),
    params(uniqueIp(), 'login'),
  );
  check(res, { 'login 200': (r) => r.status === 200 });
}

/** A refresh token per VU, rotated on each use (a rotated token is never sent twice). */
/** @type {string | undefined} */
let refreshToken;

/** @param {{ emails: string[] }} data */
export function refresh(data) {
  const ip = ipOf(2_000_000 + exec.vu.idInTest);
  if (!refreshToken) {
    const email = data.emails[exec.vu.idInTest % data.emails.length];
    const res = http.post(
      `${BASE_URL}/api/auth/login`,
      JSON.stringify({ email, password: PASSWORD }),
      params(ip, 'login'),
    );
    refreshToken = res.status === 200 ? String(res.json('refreshToken')) : undefined;
    if (!refreshToken) return;
  }
  const res = http.post(`${BASE_URL}/api/auth/refresh`, JSON.stringify({ refreshToken }), params(ip, 'refresh'));
  check(res, { 'refresh 200': (r) => r.status === 200 });
  refreshToken = res.status === 200 ? String(res.json('refreshToken')) : undefined;
}

/** One session per VU: /me every meEverySeconds, a refresh every refreshEverySeconds. */
/** @param {{ emails: string[] }} data */
export function session(data) {
  const ip = ipOf(3_000_000 + exec.vu.idInTest);
  const email = data.emails[exec.vu.idInTest % data.emails.length];
  const start = http.post(
    `${BASE_URL}/api/auth/login`,
    JSON.stringify({ email, password: PASSWORD }),
    params(ip, 'login'),
  );
  if (!check(start, { 'session login 200': (r) => r.status === 200 })) return;
  let access = String(start.json('accessToken'));
  let token = String(start.json('refreshToken'));
  const meEvery = Number(s.sessions.meEverySeconds);
  const rounds = Math.max(1, Math.round(Number(s.sessions.refreshEverySeconds) / meEvery));
  for (let i = 1; exec.scenario.progress < 1; i++) {
    const me = http.get(`${BASE_URL}/api/auth/me`, params(ip, 'me', access));
    check(me, { 'me 200': (r) => r.status === 200 });
    if (i % rounds === 0) {
      const r = http.post(
        `${BASE_URL}/api/auth/refresh`,
        JSON.stringify({ refreshToken: token }),
        params(ip, 'refresh'),
      );
      if (!check(r, { 'session refresh 200': (x) => x.status === 200 })) return;
      access = String(r.json('accessToken'));
      token = String(r.json('refreshToken'));
    }
    sleep(meEvery);
  }
}

/** The run's figures as JSON beside the usual text. */
/** @param {Record<string, unknown>} summary */
export function handleSummary(summary) {
  return { 'k6-summary.json': JSON.stringify(summary, null, 2), stdout: `k6 plan shapes: see k6-summary.json\n` };
}
