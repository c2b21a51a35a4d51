/**
 * `npm run bench:security`: the latency the security layer (IP-block check, bot counting, rate limit,
 * detection counters) adds to each auth route: the same app with the layer on and off, in one run,
 * requests interleaved so drift hits both alike. Prints medians and the difference.
 */
import { join } from 'node:path';
import { repoRoot, stackProfile, workerBindings } from '../stack/profile.ts';
import { startStack } from '../stack/stack.ts';
import { makeSigningKeys } from '../../tests/test-bindings.ts';
import { buildBenchWorker, serveBundle, benchAuthBindings } from './serve-worker.ts';
import { median } from './bridge-stats.ts';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);
const profile = stackProfile('bench');
const stack = await startStack(profile, () => undefined);
const keys = await makeSigningKeys();
const base = benchAuthBindings(workerBindings(profile), keys);
const script = await buildBenchWorker(
  join(repoRoot, 'scripts/bench/auth-variant-worker.ts'),
  join(repoRoot, '.bench/variant/index.js'),
);
const withLayer = await serveBundle(script, { ...base, SECURITY_LAYER: 'on' });
const withoutLayer = await serveBundle(script, { ...base, SECURITY_LAYER: 'off' });

let ipCounter = 0;
const freshIp = () => {
  ipCounter += 1;
  return `198.18.${Math.floor(ipCounter / 250)}.${ipCounter % 250}`;
};

async function timed(
  url: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ ms: number; json: Record<string, string> }> {
  const headers: Record<string, string> = { 'cf-connecting-ip': freshIp(), 'user-agent': 'Mozilla/5.0 Chrome/131.0' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const t = performance.now();
  const res = await fetch(url + path, {
    method: body !== undefined ? 'POST' : 'GET',
    headers,
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const ms = performance.now() - t;
  if (res.status >= 400) throw new Error(`${path} answered ${res.status}: ${text}`);
  return { ms, json: text ? (JSON.parse(text) as Record<string, string>) : {} };
}

try {
  const password = 'correct horse battery staple';
  const variants = { on: withLayer.url, off: withoutLayer.url };
  const samples: Record<string, { on: number[]; off: number[] }> = {};
  const add = (route: string, variant: 'on' | 'off', ms: number) => {
    samples[route] ??= { on: [], off: [] };
    samples[route][variant].push(ms);
  };
  const accounts = {
    on: { email: `bench-on-${Date.now()}@example.com`, refresh: '', access: '' },
    off: { email: `bench-off-${Date.now()}@example.com`, refresh: '', access: '' },
  };
  for (const v of ['on', 'off'] as const) {
    const r = await timed(variants[v], '/api/auth/signup', { email: accounts[v].email, password, name: 'Bench' });
    accounts[v].refresh = r.json.refreshToken as string;
    accounts[v].access = r.json.accessToken as string;
  }
  for (let i = 0; i < SAMPLES; i++) {
    for (const v of (i % 2 ? ['on', 'off'] : ['off', 'on']) as Array<'on' | 'off'>) {
      const a = accounts[v];
      const login = await timed(variants[v], '/api/auth/login', { email: a.email, password });
      add('POST /api/auth/login', v, login.ms);
      const refresh = await timed(variants[v], '/api/auth/refresh', { refreshToken: a.refresh });
      add('POST /api/auth/refresh', v, refresh.ms);
      a.refresh = refresh.json.refreshToken as string;
      a.access = refresh.json.accessToken as string;
      add('GET /api/auth/me', v, (await timed(variants[v], '/api/auth/me', undefined, a.access)).ms);
    }
  }
  console.log(`\nAdded latency of the security layer, median of ${SAMPLES} requests per cell (same run, interleaved)`);
  console.log('| route | with the layer (ms) | without (ms) | added (ms) |');
  console.log('| --- | --- | --- | --- |');
  for (const [route, s] of Object.entries(samples)) {
    const on = median(s.on);
    const off = median(s.off);
    console.log(`| ${route} | ${on.toFixed(1)} | ${off.toFixed(1)} | ${(on - off).toFixed(1)} |`);
  }
} finally {
  await withLayer.dispose();
  await withoutLayer.dispose();
  await stack.stop();
}
