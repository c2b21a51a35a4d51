/**
 * Probe: streams a big chunked body (no Content-Length) with Node's http client at a JSON route,
 * over and over, and counts how each try ended: the status the server answered (413 expected; a 500
 * whose body is a stack trace is the bug we watch for) or the socket error the client saw first
 * (EPIPE, ECONNRESET) when the server closed the connection before answering.
 *
 *   node scripts/probes/big-body.ts --url http://127.0.0.1:8787/api/auth/login [--tries 30] [--mib 10] [--chunk-kib 64]
 *   node scripts/probes/big-body.ts --miniflare [--tries 30]   # the built auth Worker under the Miniflare API
 *   node scripts/probes/big-body.ts --direct [--tries 30]      # the same, on a workerd socket of its own
 *
 * --url aims at a running server (e.g. `npm run dev`). --miniflare and --direct build the auth Worker
 * and serve it on a stack of their own (profile bench, STACK_BENCH_BASE_PORT): --miniflare behind
 * Miniflare's entry worker (what wrangler dev runs, without wrangler's proxy), --direct with nothing
 * in front of the Worker. Each try sends its own CF-Connecting-IP so rate limits and IP blocks never
 * answer first. Results: docs/known-issues.md.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface Outcome {
  kind: string;
  status?: number;
  body?: string;
  error?: string;
  ms: number;
}

function bigPost(url: string, bytes: number, chunkBytes: number, ip: string): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: Omit<Outcome, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...outcome, ms: Date.now() - started });
    };
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip, 'user-agent': 'edge-auth-big-body-probe' },
      timeout: 30_000,
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        const kind = res.statusCode === 500 && /\n\s+at /.test(body) ? '500 (stack trace)' : String(res.statusCode);
        done({ kind, status: res.statusCode, body: body.slice(0, 400) });
        req.destroy(); // the answer is in: stop uploading
      });
    });
    req.on('timeout', () => {
      done({ kind: 'timeout' });
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) => done({ kind: err.code ?? 'error', error: err.message }));

    // A JSON string value padded to `bytes`, written with back-pressure, as a client streaming a file would.
    const chunk = Buffer.alloc(chunkBytes, 'a');
    let sent = 0;
    const pump = () => {
      if (sent === 0) {
        req.write('{"email":"big@example.com","password":"');
      }
      while (!settled && sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!settled) req.end('"}');
    };
    pump();
  });
}

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    miniflare: { type: 'boolean', default: false },
    direct: { type: 'boolean', default: false },
    tries: { type: 'string', default: '30' },
    mib: { type: 'string', default: '10' },
    'chunk-kib': { type: 'string', default: '64' },
    verbose: { type: 'boolean', default: false },
  },
});
const tries = Number(values.tries);
const bytes = Number(values.mib) * 1024 * 1024;
const chunkBytes = Number(values['chunk-kib']) * 1024;

let target = values.url;
let dispose = async () => {};
if (values.miniflare || values.direct) {
  const served = await serveAuth(values.direct);
  target = `${served.url}/api/auth/login`;
  dispose = served.dispose;
}
if (!target) {
  console.error(
    'usage: node scripts/probes/big-body.ts --url URL | --miniflare | --direct [--tries N] [--mib N] [--chunk-kib N] [--verbose]',
  );
  process.exit(2);
}

try {
  const counts: Record<string, number> = {};
  const examples: Record<string, Outcome> = {};
  for (let i = 0; i < tries; i += 1) {
    // A fresh address from the benchmarking range (RFC 2544) each try: login allows 5 a minute per IP.
    const ip = `198.18.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
    const outcome = await bigPost(target, bytes, chunkBytes, ip);
    counts[outcome.kind] = (counts[outcome.kind] ?? 0) + 1;
    examples[outcome.kind] ??= outcome;
    if (values.verbose)
      console.log(
        `${i + 1}\t${outcome.kind}\t${outcome.ms} ms\t${(outcome.body ?? outcome.error ?? '').replace(/\s+/g, ' ').slice(0, 120)}`,
      );
  }
  console.log(JSON.stringify({ target, tries, bodyBytes: bytes, chunkBytes, counts }, null, 2));
  for (const [kind, example] of Object.entries(examples)) {
    console.log(`example ${kind}: ${(example.body ?? example.error ?? '').slice(0, 400)}`);
  }
} finally {
  await dispose();
}

/**
 * The auth Worker's bundle under the Miniflare API, on a throwaway stack of its own (profile bench):
 * behind Miniflare's entry worker (as under wrangler dev, minus wrangler's proxy), or with `direct`
 * on a workerd socket of its own (Miniflare's unsafeDirectSockets: nothing in front of the Worker).
 */
async function serveAuth(direct: boolean): Promise<{ url: string; dispose: () => Promise<void> }> {
  const { Miniflare, convertV4MiniflareOptions } = await import('miniflare');
  const { repoRoot, stackProfile, workerBindings } = await import('../stack/profile.ts');
  const { startStack } = await import('../stack/stack.ts');
  const { buildWithWrangler, bundleModules } = await import('../bench/serve-worker.ts');
  const { newSigningKey } = await import('../dev-vars.ts');
  const stack = await startStack(stackProfile('bench'));
  try {
    // Inside the repo: Miniflare refuses a module path that climbs out of the working directory.
    const scriptPath = await buildWithWrangler('wrangler.toml', join(repoRoot, '.bench', 'big-body'));
    const mf = new Miniflare(
      convertV4MiniflareOptions({
        ...bundleModules(scriptPath),
        compatibilityDate: '2026-11-01',
        compatibilityFlags: ['nodejs_compat'],
        bindings: {
          ...workerBindings(stack.profile),
          ENVIRONMENT: 'development',
          JWT_ISSUER: 'http://127.0.0.1:8787',
          JWT_AUDIENCE: 'edge-auth-api',
          JWT_PRIVATE_JWK: await newSigningKey(),
          JWT_PUBLIC_JWKS: '[]',
        },
        host: '127.0.0.1',
        port: 0,
        ...(direct ? { unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }] } : {}),
      }),
    );
    const url = direct ? await mf.unsafeGetDirectURL() : await mf.ready;
    return {
      url: url.toString().replace(/\/$/, ''),
      dispose: async () => {
        await mf.dispose();
        await stack.stop();
      },
    };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}
