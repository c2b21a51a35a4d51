/**
 * `npm run bench`: per auth route, the Postgres round trips on the critical path and after the
 * response (where the event log writes), and the Redis requests (counted at the bridges), and the median CPU
 * time of a password hash and of a refresh. Prints a table; figures go in docs/benchmarks.md.
 * Runs its own stack (profile `bench`) and the built Worker bundle under Miniflare.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot, stackProfile, workerBindings } from '../stack/profile.ts';
import { startStack } from '../stack/stack.ts';
import { makeSigningKeys } from '../../tests/test-bindings.ts';
import { buildBenchWorker, buildWithWrangler, serveBundle, benchAuthBindings } from './serve-worker.ts';
import { bridgeCounters, median } from './bridge-stats.ts';
import { BENCH_SECURITY_CONFIG } from './bench-limits.ts';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 30);
const profile = stackProfile('bench');
const outdir = join(repoRoot, '.bench');
mkdirSync(outdir, { recursive: true });

// Built before the stack starts, so a failed build leaves no stack behind.
const authBundle = await buildWithWrangler('wrangler.toml', join(outdir, 'auth'));
const cpuBundle = await buildBenchWorker(join(repoRoot, 'scripts/bench/cpu-worker.ts'), join(outdir, 'cpu/index.js'));
const stack = await startStack(profile, () => undefined);
const keys = await makeSigningKeys();
const bindings = benchAuthBindings(workerBindings(profile), keys, { SECURITY_CONFIG: BENCH_SECURITY_CONFIG });
const auth = await serveBundle(authBundle, bindings);
const cpu = await serveBundle(cpuBundle, bindings);
const counters = bridgeCounters(
  `http://127.0.0.1:${profile.neonBridgePort}`,
  `http://127.0.0.1:${profile.upstashBridgePort}`,
);

async function call(path: string, init: { body?: unknown; token?: string; method?: string } = {}) {
  const headers: Record<string, string> = { 'user-agent': 'bench/1.0 Chrome/131.0', 'cf-connecting-ip': '203.0.113.7' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const res = await fetch(auth.url + path, {
    method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, string>) : {} };
}

type Row = { route: string; status: number; pgCritical: number; pgAfter: number; redis: number };

/** The security-event insert runs in waitUntil, after the response: not on the critical path. */
const isAfterResponse = (statement: string) => statement.startsWith('insert into "security_events"');
const rows: Row[] = [];

async function measure(route: string, run: () => Promise<{ status: number }>) {
  await sleep(300); // let the previous request's after-response work land before resetting
  await counters.reset();
  const { status } = await run();
  await sleep(300);
  const seen = await counters.read();
  const after = seen.statements.filter(isAfterResponse).length;
  if (process.env.BENCH_VERBOSE) console.log(route, seen.statements);
  rows.push({ route, status, pgCritical: seen.postgres - after, pgAfter: after, redis: seen.redis });
}

try {
  const email = `bench-${Date.now()}@example.com`;
  const password = 'correct horse battery staple';
  let tokens: Record<string, string> = {};
  let signedUp: Record<string, string> = {};
  await measure('POST /api/auth/signup', async () => {
    const r = await call('/api/auth/signup', { body: { email, password, name: 'Bench' } });
    signedUp = r.body;
    return r;
  });
  await measure('POST /api/auth/login', async () => {
    const r = await call('/api/auth/login', { body: { email, password } });
    tokens = r.body;
    return r;
  });
  await measure('POST /api/auth/login (wrong password)', () =>
    call('/api/auth/login', { body: { email, password: 'wrong password!' } }),
  );
  await measure('POST /api/auth/refresh', async () => {
    const r = await call('/api/auth/refresh', { body: { refreshToken: tokens.refreshToken } });
    tokens = r.body;
    return r;
  });
  await measure('GET /api/auth/me', () => call('/api/auth/me', { token: tokens.accessToken }));
  await measure('GET /api/auth/sessions', () => call('/api/auth/sessions', { token: tokens.accessToken }));
  await measure('POST /api/auth/logout', () =>
    call('/api/auth/logout', { body: { refreshToken: tokens.refreshToken } }),
  );
  // The signup's session is still live: logout-all ends it (and any other left).
  await measure('POST /api/auth/logout-all', () =>
    call('/api/auth/logout-all', { token: signedUp.accessToken, method: 'POST' }),
  );
  await measure('GET /.well-known/jwks.json', () => call('/.well-known/jwks.json'));

  console.log('\nRound trips per request (counted at the bridges)');
  console.log(
    '| route | status | Postgres on the critical path | Redis requests (before and after the response) | Postgres after the response (event log) |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.route} | ${r.status} | ${r.pgCritical} | ${r.redis} | ${r.pgAfter} |`);

  const latency = async (path: string, repeat: number) => {
    const url = `${cpu.url}${path}?repeat=${repeat}`;
    await fetch(url).then((r) => r.text()); // warm up
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t = performance.now();
      await fetch(url).then((r) => r.text());
      samples.push(performance.now() - t);
    }
    return median(samples);
  };
  // Each request repeats the work so it dwarfs the request's own overhead; per-operation = (t - noop) / repeat.
  const noop = await latency('/noop', 1);
  const hash = ((await latency('/hash', 5)) - noop) / 5;
  const refreshWork = ((await latency('/refresh-work', 500)) - noop) / 500;
  const refreshSamples: number[] = [];
  let current = (await call('/api/auth/login', { body: { email, password } })).body.refreshToken;
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    const r = await call('/api/auth/refresh', { body: { refreshToken: current } });
    refreshSamples.push(performance.now() - t);
    if (r.status !== 200) throw new Error(`refresh answered ${r.status}`);
    current = r.body.refreshToken;
  }
  console.log(
    `\nCPU time, median of ${SAMPLES} requests to an I/O-free bench Worker that repeats the work (no-op request: ${noop.toFixed(2)} ms)`,
  );
  console.log('| work | median CPU ms |');
  console.log('| --- | --- |');
  console.log(`| scrypt hash (N=2^14, r=8, p=5) | ${hash.toFixed(1)} |`);
  console.log(`| refresh, its CPU work (2x SHA-256, a new token, an ES256 signature) | ${refreshWork.toFixed(3)} |`);
  console.log(
    `| refresh end to end on the local stack (one SQL round trip, wall time) | ${median(refreshSamples).toFixed(1)} |`,
  );
} finally {
  await auth.dispose();
  await cpu.dispose();
  await stack.stop();
}
