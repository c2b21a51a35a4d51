/**
 * Serves a Worker's built bundle under the Miniflare API (measured: wrangler dev's proxy costs about 5x
 * on cheap routes, so benchmarks use the bundle under Miniflare). Shared by the benchmarks.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { build } from 'esbuild';
import { repoRoot } from '../stack/profile.ts';

export async function buildWithWrangler(config: string, outdir: string): Promise<string> {
  execFileSync(join(repoRoot, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '-c', config, '--outdir', outdir], {
    cwd: repoRoot, stdio: 'ignore', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  return join(outdir, 'index.js');
}

/** Bundles a bench-only Worker (TypeScript that imports src/lib) with esbuild. */
export async function buildBenchWorker(entry: string, outfile: string): Promise<string> {
  await build({
    entryPoints: [entry], outfile, bundle: true, format: 'esm', platform: 'neutral', target: 'es2022',
    external: ['node:*', 'cloudflare:*'], conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], logLevel: 'error',
  });
  return outfile;
}

export async function serveBundle(scriptPath: string, bindings: Record<string, string>, port = 0): Promise<{ url: string; dispose: () => Promise<void> }> {
  const mf = new Miniflare(convertV4MiniflareOptions({
    modules: true,
    scriptPath,
    compatibilityDate: '2026-11-01',
    compatibilityFlags: ['nodejs_compat'],
    bindings,
    host: '127.0.0.1',
    port,
  }));
  const url = (await mf.ready).toString().replace(/\/$/, '');
  return { url, dispose: () => mf.dispose() };
}
