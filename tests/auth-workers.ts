/**
 * The auth Worker as the dashboard's tests meet it: the real Worker, bundled by wrangler as
 * `wrangler deploy` bundles it, run beside the dashboard as auxiliary Workers, so the dashboard's
 * AUTH service binding is a real one. One bundle, three deployments of it:
 * - `edge-auth` (what AUTH binds to, as in production): the run's key signs;
 * - `edge-auth-rotated`: after the README's rotation steps: a new key signs, the old public key is
 *   still published (JWT_PUBLIC_JWKS);
 * - `edge-auth-misconfigured`: no signing key, so it answers 500 to everything (an auth Worker failing).
 * Runs in Node, from vitest.config.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unstable_readConfig } from 'wrangler';
import { repoRoot } from '../scripts/stack/profile.ts';
import { bundleModules } from '../scripts/bench/serve-worker.ts';
import { makeSigningKeys } from './test-bindings.ts';

/** The bindings the dashboard's tests get to reach the other two deployments. */
export const auxiliaryAuthBindings = {
  AUTH_ROTATED: 'edge-auth-rotated',
  AUTH_MISCONFIGURED: 'edge-auth-misconfigured',
};

let bundle: Promise<string> | undefined;

/** Bundles the auth Worker once per run (about 4 s), into a folder removed when the run ends. */
function bundleAuthWorker(): Promise<string> {
  bundle ??= (async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'edge-auth-bundle-'));
    process.on('exit', () => rmSync(outdir, { recursive: true, force: true }));
    await promisify(execFile)(
      join(repoRoot, 'node_modules/.bin/wrangler'),
      ['deploy', '--dry-run', '--outdir', outdir, '-c', 'wrangler.toml'],
      {
        cwd: repoRoot,
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', XDG_CONFIG_HOME: join(outdir, 'config') },
      },
    );
    return join(outdir, 'index.js');
  })();
  return bundle;
}

/** The public half of a private JWK (what the auth Worker publishes for it). */
function publicHalf(privateJwk: string): Record<string, unknown> {
  const { d: _private, ...rest } = JSON.parse(privateJwk) as Record<string, unknown>;
  return rest;
}

/** The three auth Worker deployments, for `miniflare.workers`; `bindings` are the run's auth bindings. */
export async function auxiliaryAuthWorkers(bindings: Record<string, string>) {
  const config = unstable_readConfig({ config: join(repoRoot, 'wrangler.toml') });
  // A kid of its own: makeSigningKeys names keys by the millisecond, which two keys could share.
  const rotatedKey = {
    ...(JSON.parse((await makeSigningKeys()).privateJwk) as object),
    kid: `test-rotated-${crypto.randomUUID().slice(0, 8)}`,
  };
  const worker = async (name: string, overrides: Record<string, string>) => ({
    name,
    // The entry and the .wasm module wrangler writes beside it, named by their paths from its folder.
    ...bundleModules(await bundleAuthWorker()),
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags,
    bindings: { ...bindings, ...overrides },
  });
  return [
    // Named as in wrangler.toml: the dashboard's `[[services]]` binding finds it by that name.
    await worker(config.name ?? 'edge-auth', {}),
    await worker(auxiliaryAuthBindings.AUTH_ROTATED, {
      JWT_PRIVATE_JWK: JSON.stringify(rotatedKey),
      JWT_PUBLIC_JWKS: JSON.stringify([publicHalf(bindings.JWT_PRIVATE_JWK as string)]),
    }),
    await worker(auxiliaryAuthBindings.AUTH_MISCONFIGURED, { JWT_PRIVATE_JWK: '' }),
  ];
}
