/**
 * `npm run bench:startup`: how long a new auth isolate takes before it answers. Two figures:
 * - start-up CPU, the limit production enforces (1 s to parse and run the global scope): from
 *   `wrangler check startup`'s CPU profile of the Worker, its sampled time outside idle;
 * - the first request of a new isolate (it builds the app: config parsed and validated, routes, OpenAPI
 *   document, keys imported) against the median of the next ones, on a fresh Miniflare per round, with
 *   the stack behind it. The route is `GET /api/auth/me` with a refused token (the gate's Redis request,
 *   a signature check, no query), then JWKS (the keys' first import).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot, stackProfile, workerBindings } from '../stack/profile.ts';
import { startStack } from '../stack/stack.ts';
import { makeSigningKeys } from '../../tests/test-bindings.ts';
import { benchAuthBindings, buildWithWrangler, serveBundle } from './serve-worker.ts';
import { median } from './bridge-stats.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const outdir = join(repoRoot, '.bench');
mkdirSync(outdir, { recursive: true });

const bundle = await buildWithWrangler('wrangler.toml', join(outdir, 'startup-auth'));
const raw = readFileSync(bundle);
console.log(
  `auth bundle: ${(statSync(bundle).size / 1024).toFixed(0)} KiB, ${(gzipSync(raw).length / 1024).toFixed(0)} KiB gzipped`,
);

const profilePath = join(outdir, 'worker-startup.cpuprofile');
const check = execFileSync(
  join(repoRoot, 'node_modules/.bin/wrangler'),
  // It builds the Worker itself: given the dry-run bundle it expects an upload form, not a module.
  ['check', 'startup', '--outfile', profilePath],
  { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
);
const active = /Active: ([\d.]+) ms/.exec(check)?.[1];
console.log(
  `start-up CPU (wrangler check startup, "Active", this machine): ${active ?? '?'} ms (production limit: 1000 ms); profile in ${profilePath}`,
);

const profile = stackProfile('bench');
const stack = await startStack(profile, () => undefined);
try {
  const keys = await makeSigningKeys();
  const bindings = benchAuthBindings(workerBindings(profile), keys);
  const call = async (url: string, path: string, headers: Record<string, string> = {}) => {
    const started = performance.now();
    const res = await fetch(url + path, { headers: { 'cf-connecting-ip': '203.0.113.9', ...headers } });
    await res.arrayBuffer();
    return performance.now() - started;
  };
  for (let round = 1; round <= ROUNDS; round++) {
    const started = performance.now();
    const worker = await serveBundle(bundle, bindings);
    const ready = performance.now() - started;
    const refused = { authorization: 'Bearer not-a-token' };
    const first = await call(worker.url, '/api/auth/me', refused);
    const later: number[] = [];
    for (let i = 0; i < 20; i++) later.push(await call(worker.url, '/api/auth/me', refused));
    const firstJwks = await call(worker.url, '/.well-known/jwks.json');
    const laterJwks = await call(worker.url, '/.well-known/jwks.json');
    console.log(
      `round ${round}: workerd ready in ${ready.toFixed(0)} ms; first request ${first.toFixed(1)} ms, then median ${median(later).toFixed(1)} ms; first JWKS ${firstJwks.toFixed(1)} ms, then ${laterJwks.toFixed(1)} ms`,
    );
    await worker.dispose();
  }
} finally {
  await stack.stop();
}
