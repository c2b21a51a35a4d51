/**
 * Both Workers on real ports against the test stack, as a browser meets them: each bundled as
 * `wrangler deploy` bundles it (the dashboard's [build] builds the page), each served by the Miniflare
 * API, the dashboard with its static assets from its wrangler.toml and its AUTH binding reaching the
 * auth Worker. The page and the auth Worker are two origins, as in production, so CORS is real.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare, convertV4MiniflareOptions, fetch as miniflareFetch } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { buildWithWrangler, bundleModules } from '../../scripts/bench/serve-worker.ts';
import { repoRoot } from '../../scripts/stack/profile.ts';
import { testBindings } from '../test-bindings.ts';

/** Access tokens of the served auth Worker live this long (seconds). */
export const ACCESS_TTL = 60;

export interface ServedWorkers {
  authUrl: string;
  dashboardUrl: string;
  bindings: Record<string, string>;
  dispose: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A built bundle on `port`, with the .wasm modules wrangler writes beside it (bundleModules). */
const served = (scriptPath: string, port: number) => ({
  host: '127.0.0.1',
  port,
  ...bundleModules(scriptPath),
  compatibilityDate: '2026-11-01',
  compatibilityFlags: ['nodejs_compat'],
});

export async function serveWorkers(): Promise<ServedWorkers> {
  const outdir = mkdtempSync(join(tmpdir(), 'edge-auth-browser-'));
  const dashboardConfig = join(repoRoot, 'src/functions/dashboard/wrangler.toml');
  const authScript = await buildWithWrangler('wrangler.toml', join(outdir, 'auth'));
  const dashboardScript = await buildWithWrangler(dashboardConfig, join(outdir, 'dashboard'));
  const [authPort, dashboardPort] = [await freePort(), await freePort()];
  const authUrl = `http://127.0.0.1:${authPort}`;
  const dashboardUrl = `http://127.0.0.1:${dashboardPort}`;
  const bindings = await testBindings();

  const auth = new Miniflare(
    convertV4MiniflareOptions({
      ...served(authScript, authPort),
      // The shortest access-token lifetime the config allows, so the page's refresh (45 s in) is seen.
      bindings: { ...bindings, CORS_ALLOWED_ORIGINS: dashboardUrl, ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TTL) },
    }),
  );
  await auth.ready;

  // The dashboard's assets as wrangler reads them from its wrangler.toml (directory, binding, run_worker_first).
  const { workerOptions } = unstable_getMiniflareWorkerOptions(dashboardConfig);
  const { JWT_PRIVATE_JWK: _authOnly, JWT_PUBLIC_JWKS: _alsoAuthOnly, ...shared } = bindings;
  const dashboard = new Miniflare(
    convertV4MiniflareOptions({
      ...served(dashboardScript, dashboardPort),
      bindings: { ...shared, AUTH_PUBLIC_URL: authUrl },
      assets: workerOptions.assets,
      // The AUTH service binding, reaching the auth Worker served above (another Miniflare).
      serviceBindings: {
        // (Miniflare's own fetch: a binding must answer with its Response class.)
        AUTH: async (request: Request) => {
          const url = new URL(request.url);
          return miniflareFetch(`${authUrl}${url.pathname}${url.search}`, { method: request.method });
        },
      },
    } as never),
  );
  await dashboard.ready;

  return {
    authUrl,
    dashboardUrl,
    bindings,
    dispose: async () => {
      await Promise.allSettled([dashboard.dispose(), auth.dispose()]);
      rmSync(outdir, { recursive: true, force: true });
    },
  };
}
