/**
 * Serves a Worker's built bundle under the Miniflare API (measured: wrangler dev's proxy costs about 5x
 * on cheap routes, so benchmarks use the bundle under Miniflare). Shared by the benchmarks.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { build } from 'esbuild';
import { repoRoot } from '../stack/profile.ts';

export async function buildWithWrangler(config: string, outdir: string): Promise<string> {
  execFileSync(
    join(repoRoot, 'node_modules/.bin/wrangler'),
    ['deploy', '--dry-run', '-c', config, '--outdir', outdir],
    {
      cwd: repoRoot,
      stdio: 'ignore',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    },
  );
  return join(outdir, 'index.js');
}

/** Bundles a bench-only Worker (TypeScript that imports src/lib) with esbuild. */
export async function buildBenchWorker(entry: string, outfile: string): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['node:*', 'cloudflare:*'],
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    // An imported .wasm is copied beside the bundle and stays an import, as wrangler does (bundleModules).
    loader: { '.wasm': 'copy' },
    logLevel: 'error',
  });
  return outfile;
}

/**
 * Miniflare's module options for a built bundle. Given only a script path, Miniflare loads the entry
 * alone: the .wasm files written beside it (an imported .wasm, e.g. argon2id-hasher.ts's) are listed as the
 * CompiledWasm modules a deploy uploads. Module names are paths from modulesRoot: one climbing out with
 * "../" makes workerd fail to start.
 */
export function bundleModules(scriptPath: string) {
  const dir = dirname(scriptPath);
  const wasm = readdirSync(dir)
    .filter((file) => file.endsWith('.wasm'))
    .map((file) => ({ type: 'CompiledWasm' as const, path: join(dir, file) }));
  return { modules: [{ type: 'ESModule' as const, path: scriptPath }, ...wasm], modulesRoot: dir };
}

/** A Worker's queues, in Miniflare's terms (binding -> queue; queue -> the consumer's batching). */
export interface BenchQueues {
  queueProducers?: Record<string, { queueName: string }>;
  queueConsumers?: Record<string, { maxBatchSize?: number; maxBatchTimeout?: number }>;
}

export async function serveBundle(
  scriptPath: string,
  bindings: Record<string, string>,
  port = 0,
  /** Opens the V8 inspector on this port (scripts/bench/cpu-profile.ts takes CPU profiles through it). */
  inspectorPort?: number,
  /** Queues the Worker produces to and consumes from (queue-events-worker.ts). */
  queues: BenchQueues = {},
): Promise<{ url: string; dispose: () => Promise<void> }> {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      ...(inspectorPort === undefined ? {} : { inspectorPort }),
      ...queues,
      ...bundleModules(scriptPath),
      compatibilityDate: '2026-11-01',
      compatibilityFlags: ['nodejs_compat'],
      bindings,
      host: '127.0.0.1',
      port,
    }),
  );
  const url = (await mf.ready).toString().replace(/\/$/, '');
  return { url, dispose: () => mf.dispose() };
}

export interface ServedWorker {
  name: string;
  scriptPath: string;
  bindings: Record<string, string>;
  /** Binding name -> the name of another Worker served alongside (a service binding). */
  serviceBindings?: Record<string, string>;
}

/**
 * Serves several built bundles in one Miniflare, bound to each other by name as in production (the
 * dashboard's AUTH binding reaches the auth Worker). The first one gets the HTTP port.
 */
export async function serveBundles(
  workers: ServedWorker[],
  port = 0,
): Promise<{
  url: string;
  /** A request to one of the Workers by name, as its service binding would make it. */
  fetchWorker: (name: string, url: string, init?: RequestInit) => Promise<Response>;
  dispose: () => Promise<void>;
}> {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port,
      workers: workers.map((w) => ({
        name: w.name,
        ...bundleModules(w.scriptPath),
        compatibilityDate: '2026-11-01',
        compatibilityFlags: ['nodejs_compat'],
        bindings: w.bindings,
        serviceBindings: w.serviceBindings ?? {},
      })),
    }),
  );
  const url = (await mf.ready).toString().replace(/\/$/, '');
  const fetchWorker = async (name: string, target: string, init?: RequestInit) => {
    const worker = await mf.getWorker(name);
    return (await worker.fetch(target, init as never)) as unknown as Response;
  };
  return { url, fetchWorker, dispose: () => mf.dispose() };
}

/** The auth Worker's bindings in a benchmark: the bench stack's URLs and a signing key made for the run. */
export function benchAuthBindings(
  stackUrls: Record<string, string>,
  keys: { privateJwk: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...stackUrls,
    ENVIRONMENT: 'test',
    JWT_ISSUER: 'http://bench',
    JWT_AUDIENCE: 'edge-auth-api',
    JWT_PRIVATE_JWK: keys.privateJwk,
    JWT_PUBLIC_JWKS: '[]',
    ...extra,
  };
}
