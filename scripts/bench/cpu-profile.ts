/**
 * `npm run bench:profile [me|refresh|floor]`: where a hot route's CPU goes. Serves the built auth Worker
 * (or the floor Worker) under Miniflare with the V8 inspector open, drives the route at saturation from
 * a separate process (load-driver.ts), takes a CPU profile of the isolate meanwhile, and prints its
 * self time per module of the bundle (esbuild marks each module with a `// path` comment) and the
 * hottest functions. Time outside JavaScript (workerd's own HTTP and subrequests) shows as "(program)".
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, stackProfile, workerBindings } from '../stack/profile.ts';
import { startStack } from '../stack/stack.ts';
import { makeSigningKeys } from '../../tests/test-bindings.ts';
import { benchAuthBindings, buildBenchWorker, buildWithWrangler, serveBundle } from './serve-worker.ts';
import { BENCH_SECURITY_CONFIG } from './bench-limits.ts';
import type { DriverScenario } from './load-driver.ts';
import { inspector } from './inspector.ts';
import { signUpPool } from './bench-client.ts';

const kind = (process.argv[2] ?? 'me') as 'me' | 'refresh' | 'floor';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const INSPECTOR_PORT = 9300 + Math.floor(Math.random() * 500);
const PASSWORD = 'correct horse battery staple';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Bundle line -> the module it belongs to, from esbuild's `// path/to/module.ts` markers. */
function moduleIndex(bundle: string): (line: number) => string {
  const starts: { line: number; module: string }[] = [];
  bundle.split('\n').forEach((text, line) => {
    const m = /^\/\/ ((?:node_modules|src|cron|scripts)\/\S+)$/.exec(text);
    if (m) starts.push({ line, module: m[1]! });
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = '(bundle preamble)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]!.line <= line) {
        found = starts[mid]!.module;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/** `node_modules/@sentry/core/build/...` -> `@sentry/core`; a source file stays itself. */
const packageOf = (module: string) =>
  module.startsWith('node_modules/')
    ? (/^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(module)?.[1] ?? module)
    : module.replace(/\.ts$/, '');

const outdir = join(repoRoot, '.bench');
mkdirSync(outdir, { recursive: true });
const bundle =
  kind === 'floor'
    ? await buildBenchWorker(join(repoRoot, 'scripts/bench/floor-worker.ts'), join(outdir, 'profile-floor/index.js'))
    : await buildWithWrangler('wrangler.toml', join(outdir, 'profile-auth'));
const profile = stackProfile('bench');
const stack = await startStack(profile, () => undefined);
const keys = await makeSigningKeys();
const bindings = benchAuthBindings(workerBindings(profile), keys, { SECURITY_CONFIG: BENCH_SECURITY_CONFIG });
const served = await serveBundle(bundle, bindings, 0, INSPECTOR_PORT);
try {
  const accounts =
    kind === 'floor'
      ? []
      : await signUpPool(served.url, 110, { emailPrefix: 'profile', ipPrefix: '172.16.1', password: PASSWORD });
  const pool = accounts.map((a) => (kind === 'me' ? a.accessToken : a.refreshToken));
  const cdp = await inspector(INSPECTOR_PORT);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  const scenario: DriverScenario = { kind, url: served.url, pool, connections: 50, seconds: SECONDS, warmupSeconds: 2 };
  const driver = spawn(process.execPath, [join(repoRoot, 'scripts/bench/load-driver.ts'), JSON.stringify(scenario)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve) => driver.stderr.on('data', (c: Buffer) => c.includes('measuring') && resolve()));
  await cdp.send('Profiler.start');
  let out = '';
  driver.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise((resolve) => driver.on('exit', resolve));
  const { profile: cpu } = await cdp.send<{ profile: Profile }>('Profiler.stop');
  cdp.close();
  writeFileSync(join(outdir, `profile-${kind}.cpuprofile`), JSON.stringify(cpu));
  const requests = (JSON.parse(out) as { requests: { total: number } }).requests.total;

  const byId = new Map(cpu.nodes.map((n) => [n.id, n]));
  const moduleOf = moduleIndex(readFileSync(bundle, 'utf8'));
  const selfByModule = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  cpu.samples.forEach((nodeId, i) => {
    const frame = byId.get(nodeId)!.callFrame;
    const us = cpu.timeDeltas[i] ?? 0;
    const where = frame.url ? packageOf(moduleOf(frame.lineNumber)) : frame.functionName || '(native)';
    selfByModule.set(where, (selfByModule.get(where) ?? 0) + us);
    const fn = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
    selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + us);
  });
  const busy = [...selfByModule].filter(([k]) => k !== '(idle)').reduce((sum, [, us]) => sum + us, 0);
  const table = (title: string, rows: Map<string, number>, top: number) => {
    console.log(`\n${title}\n| where | µs / request | share of busy |\n| --- | ---: | ---: |`);
    for (const [k, us] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`| ${k} | ${(us / requests).toFixed(1)} | ${((100 * us) / busy).toFixed(1)}% |`);
  };
  console.log(
    `\nbench:profile ${kind}: ${requests} requests in ${SECONDS} s; isolate busy ${(busy / requests / 1000).toFixed(2)} ms per request (idle excluded)`,
  );
  table('Self time by module', selfByModule, 25);
  table('Hottest functions', selfByFunction, 25);
} finally {
  await served.dispose();
  await stack.stop();
}
