/**
 * The load generator of `npm run bench:load`, in a process of its own so its CPU is not the Workers'
 * event loop: one scenario per run, its settings as JSON in argv[2], autocannon's result as JSON on
 * stdout. Every request carries a fresh client address (CF-Connecting-IP), as many clients would.
 */
import autocannon from 'autocannon';
import { BENCH_CLIENT_HEADERS } from './bench-client.ts';

export interface DriverScenario {
  kind: 'floor' | 'me' | 'refresh' | 'login' | 'signup';
  url: string;
  connections: number;
  seconds: number;
  /** Requests per second over all connections; none: as fast as the Worker answers. */
  overallRate?: number;
  /** `me`: access tokens; `refresh`: refresh tokens (more than twice the connections with a warm-up); `login`: emails. */
  pool?: string[];
  password?: string;
  /** Run this long first and discard it (the same connections' token chains carry on). */
  warmupSeconds?: number;
}

const scenario = JSON.parse(process.argv[2] ?? '{}') as DriverScenario;
let ip = Math.floor(Math.random() * 1000) * 65_536;
const nextIp = () => {
  ip += 1;
  return `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}`;
};
let connection = 0;
let signups = 0;
const pool = scenario.pool ?? [];
/** `refresh`: the newest token of each chain, kept across the warm-up and the measured run. */
const chains = [...pool];
/**
 * The chains a run may take. A run ends with requests in flight whose answers autocannon drops: their
 * chains' newest tokens are unknown, and presenting the old one would be reuse. So the warm-up and the
 * measured run each get half of the pool, never the other's.
 */
let freeChains: number[] = [];
const useChains = (from: number, to: number) => {
  freeChains = chains.map((_, i) => i).slice(from, to);
};
const headers = (extra: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  ...BENCH_CLIENT_HEADERS,
  'cf-connecting-ip': nextIp(),
  ...extra,
});

type Context = { token?: string; index?: number };

const request = {
  floor: {
    method: 'GET' as const,
    path: '/floor',
    setupRequest: (r: autocannon.Request) => ({ ...r, headers: headers() }),
  },
  me: {
    method: 'GET' as const,
    path: '/api/auth/me',
    setupRequest: (r: autocannon.Request) => ({
      ...r,
      headers: headers({ authorization: `Bearer ${pool[connection++ % pool.length]}` }),
    }),
  },
  refresh: {
    method: 'POST' as const,
    path: '/api/auth/refresh',
    // autocannon clears a connection's context after each request, so a chain is taken from the free
    // ones for one request and handed back with its new token: no two requests present one token.
    setupRequest: (r: autocannon.Request, context: Context) => {
      // ??=: autocannon builds a connection's first request twice in one context; take one chain for it.
      context.index ??= freeChains.shift();
      if (context.index === undefined)
        throw new Error('more connections than refresh chains (give the pool a few spare)');
      return { ...r, headers: headers(), body: JSON.stringify({ refreshToken: chains[context.index] }) };
    },
    onResponse: (status: number, body: string, context: Context) => {
      if (context.index === undefined) return;
      if (status === 200) chains[context.index] = (JSON.parse(body) as { refreshToken: string }).refreshToken;
      freeChains.push(context.index);
    },
  },
  login: {
    method: 'POST' as const,
    path: '/api/auth/login',
    setupRequest: (r: autocannon.Request) => ({
      ...r,
      headers: headers(),
      body: JSON.stringify({ email: pool[signups++ % pool.length], password: scenario.password }),
    }),
  },
  signup: {
    method: 'POST' as const,
    path: '/api/auth/signup',
    setupRequest: (r: autocannon.Request) => ({
      ...r,
      headers: headers(),
      body: JSON.stringify({
        email: `load-${process.pid}-${signups++}@example.com`,
        password: scenario.password,
        name: 'Load',
      }),
    }),
  },
}[scenario.kind];

const run = (seconds: number) =>
  autocannon({
    url: scenario.url,
    connections: scenario.connections,
    duration: seconds,
    // A login burst queues for the isolate's password slots: the last of 50 waits about 8 s.
    timeout: 30,
    ...(scenario.overallRate ? { overallRate: scenario.overallRate } : {}),
    requests: [request as autocannon.Request],
  });
const half = Math.floor(chains.length / 2);
if (scenario.warmupSeconds) {
  useChains(0, half);
  await run(scenario.warmupSeconds);
  useChains(half, chains.length);
} else {
  useChains(0, chains.length);
}
// The parent reads the bridges' counters from here: the measured run starts now.
process.stderr.write('measuring\n');
const result = await run(scenario.seconds);
process.stdout.write(JSON.stringify(result));
