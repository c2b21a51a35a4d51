/**
 * `npm run bench:argon2`: would Argon2id at OWASP's first-choice parameters (m=19 MiB, t=2, p=1) cost less
 * CPU than today's scrypt N=2^14, r=8, p=5 (src/lib/passwords/scrypt-hasher.ts)? Both run in workerd
 * (Miniflare), in a bench-only Worker (argon2-worker.ts) bundled by wrangler as a deploy would be: Argon2id
 * comes from a statically imported WebAssembly module, since production Workers refuse to compile wasm bytes
 * at runtime. First checks the Argon2id output against the reference implementation's test vectors, then
 * prints the median CPU time per hash of each and the memory of the workerd process serving it.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { repoRoot } from '../stack/profile.ts';
import { buildWithWrangler, serveBundle } from './serve-worker.ts';
import { median } from './bridge-stats.ts';
import { memMiB, workerdPids } from './workerd-process.ts';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 20);
/** Hashes per request, so the work dwarfs the request's own overhead; per hash = (t - noop) / REPEAT. */
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);

/**
 * Argon2id v1.3 known answers: the first three from the reference implementation (P-H-C/phc-winner-argon2,
 * src/test.c); the last at the benchmarked parameters, computed by an independent implementation
 * (hash-wasm 4.13.0's own C code, which reproduces the reference answers).
 */
const VECTORS = [
  {
    password: 'password',
    salt: 'somesalt',
    m: 65536,
    t: 2,
    p: 1,
    encoded: 'CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc',
  },
  {
    password: 'password',
    salt: 'somesalt',
    m: 256,
    t: 2,
    p: 1,
    encoded: 'nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4',
  },
  {
    password: 'password',
    salt: 'somesalt',
    m: 256,
    t: 2,
    p: 2,
    encoded: 'bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc',
  },
  {
    password: 'correct horse battery staple',
    salt: 'somesalt',
    m: 19456,
    t: 2,
    p: 1,
    encoded: 'BEgDDWX7pgCNo3fdhJ9D6jhZx/7hPUPNRayzBg5LHRM',
  },
].map((v) => ({ ...v, encoded: `$argon2id$v=19$m=${v.m},t=${v.t},p=${v.p}$c29tZXNhbHQ$${v.encoded}` }));

/** Bundles the bench Worker with wrangler (a .wasm import becomes a CompiledWasm module file beside it). */
async function buildWorker(outdir: string): Promise<{ entry: string; wasm: string }> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const config = join(outdir, 'wrangler.json');
  writeFileSync(
    config,
    JSON.stringify({
      name: 'argon2-bench',
      main: join(repoRoot, 'scripts/bench/argon2-worker.ts'),
      compatibility_date: '2026-11-01',
      compatibility_flags: ['nodejs_compat'],
    }),
  );
  const out = join(outdir, 'out');
  await buildWithWrangler(config, out);
  // Named after the Worker's main (argon2-worker.js), not index.js.
  const files = readdirSync(out);
  const entry = join(out, files.find((f) => f.endsWith('.js')) ?? 'missing.js');
  const wasm = files.find((f) => f.endsWith('.wasm'));
  if (!wasm) throw new Error(`wrangler wrote ${files.join(', ')}: expected a .js entry and a .wasm module`);
  // The wasm must be imported as a module, never compiled from bytes at runtime.
  if (!readFileSync(entry, 'utf8').includes(`import wasm from "./${wasm}"`))
    throw new Error('the bundle does not import the wasm module statically');
  return { entry, wasm: join(out, wasm) };
}

/** Serves the bundle in a workerd of its own, so its memory is that of one algorithm. */
async function serveAlone(bundle: { entry: string; wasm: string }) {
  const before = new Set(workerdPids());
  const served = await serveBundle(bundle.entry, {});
  const pid = workerdPids().find((p) => !before.has(p));
  if (!pid) throw new Error('no workerd process found');
  return { ...served, pid };
}

const timed = async (url: string): Promise<number> => {
  const t = performance.now();
  const res = await fetch(url);
  await res.text();
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return performance.now() - t;
};

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const gzipped = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;

/** Runs the known answers in a workerd of its own: the 64 MiB vector would grow the measured one's wasm memory. */
async function checkKnownAnswers(bundle: { entry: string; wasm: string }): Promise<void> {
  const checker = await serveBundle(bundle.entry, {});
  try {
    console.log('Argon2id known answers (argon2-worker.ts, @phi-ag/argon2 argon2.wasm in workerd)');
    let failed = 0;
    for (const v of VECTORS) {
      const query = new URLSearchParams({ password: v.password, salt: v.salt, m: `${v.m}`, t: `${v.t}`, p: `${v.p}` });
      const res = await fetch(`${checker.url}/argon2/vector?${query}`);
      const { encoded } = (await res.json()) as { encoded: string };
      const ok = encoded === v.encoded;
      if (!ok) failed++;
      console.log(`  m=${v.m} t=${v.t} p=${v.p} '${v.password}': ${ok ? 'match' : `MISMATCH, got ${encoded}`}`);
    }
    if (failed) throw new Error(`${failed} known answer(s) not reproduced: the parameters are not applied as asked`);
    // Reported, not fatal: @phi-ag/argon2 0.5.28 passes a password's UTF-16 length where its UTF-8 byte count is due.
    const [one, two] = await Promise.all(
      ['pässwörd1', 'pässwörd2'].map(async (password) => {
        const query = new URLSearchParams({ password, salt: 'somesalt', m: '256', t: '2', p: '1' });
        return ((await (await fetch(`${checker.url}/argon2/vector?${query}`)).json()) as { encoded: string }).encoded;
      }),
    );
    console.log(
      `  'pässwörd1' and 'pässwörd2': ${one === two ? 'THE SAME HASH (a non-ASCII password is cut short: the package hashes as many bytes as UTF-16 units)' : 'distinct hashes'}`,
    );
  } finally {
    await checker.dispose();
  }
}

const bundle = await buildWorker(join(repoRoot, '.bench/argon2'));
await checkKnownAnswers(bundle);
const scryptWorker = await serveAlone(bundle);
const argon2Worker = await serveAlone(bundle);
try {
  const baseline = {
    scrypt: memMiB(scryptWorker.pid, 'VmRSS'),
    argon2: memMiB(argon2Worker.pid, 'VmRSS'),
  };
  const cases = [
    { name: 'noop', url: `${scryptWorker.url}/noop` },
    { name: 'scrypt', url: `${scryptWorker.url}/scrypt?repeat=${REPEAT}` },
    { name: 'argon2', url: `${argon2Worker.url}/argon2?repeat=${REPEAT}` },
  ] as const;
  for (const c of cases) await timed(c.url); // warm-up: the Argon2 instance is made on first use
  const samples: Record<(typeof cases)[number]['name'], number[]> = { noop: [], scrypt: [], argon2: [] };
  // Interleaved, so a change in the machine's load weighs on both algorithms alike.
  for (let i = 0; i < SAMPLES; i++) for (const c of cases) samples[c.name].push(await timed(c.url));
  const noop = median(samples.noop);
  const perHash = (name: 'scrypt' | 'argon2') => (median(samples[name]) - noop) / REPEAT;
  const { wasmMemoryBytes } = (await (await fetch(`${argon2Worker.url}/argon2`)).json()) as {
    wasmMemoryBytes: number;
  };

  const wasmBytes = readFileSync(bundle.wasm);
  const glue = await build({
    stdin: { contents: "export { default } from '@phi-ag/argon2';", resolveDir: repoRoot },
    bundle: true,
    format: 'esm',
    minify: true,
    write: false,
    logLevel: 'error',
  });
  const glueBytes = glue.outputFiles[0]!.contents;

  console.log(
    `\nCPU time per hash: median of ${SAMPLES} requests of ${REPEAT} hashes each, less a no-op request (${noop.toFixed(2)} ms), / ${REPEAT}`,
  );
  console.log('| hash | median ms per hash | workerd RSS before -> after, MiB | workerd peak RSS, MiB |');
  console.log('| --- | --- | --- | --- |');
  for (const [name, label, worker] of [
    ['scrypt', 'scrypt N=2^14, r=8, p=5 (node:crypto)', scryptWorker],
    ['argon2', 'Argon2id m=19456 KiB, t=2, p=1 (wasm)', argon2Worker],
  ] as const)
    console.log(
      `| ${label} | ${perHash(name).toFixed(1)} | ${baseline[name].toFixed(1)} -> ${memMiB(worker.pid, 'VmRSS').toFixed(1)} | ${memMiB(worker.pid, 'VmHWM').toFixed(1)} |`,
    );
  console.log(
    `\nArgon2 wasm linear memory after hashing: ${(wasmMemoryBytes / 2 ** 20).toFixed(1)} MiB (kept by the isolate)`,
  );
  console.log(
    `Added to the bundle: argon2.wasm ${kib(wasmBytes.length)} (gzip ${kib(gzipped(wasmBytes))}), its JS glue minified ${kib(glueBytes.length)} (gzip ${kib(gzipped(glueBytes))})`,
  );
  console.log(`Bench Worker bundle: ${kib(statSync(bundle.entry).size)} of JS + the wasm module`);
} finally {
  await scryptWorker.dispose();
  await argon2Worker.dispose();
}
