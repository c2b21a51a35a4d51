/**
 * `npm run bench:login-burst`: 50 logins at once, each a different user from a different address (so no
 * rate limit applies), against the built auth Worker under Miniflare on a stack of its own. Each login
 * costs a password hash in one isolate (Argon2id, about 25 ms of CPU: the users are signed up first), so
 * the last of them waits for the others' hashes. Every login must answer 200: a 503 means a deadline counted the time spent waiting
 * for the isolate, and a "gate" or "timeout" report means the block check or the rate limit was skipped
 * (the security layer weakened because the isolate was busy). Prints both, per round; exits 1 on a 5xx.
 */
import { join } from 'node:path';
import { repoRoot, stackProfile, workerBindings } from '../stack/profile.ts';
import { startStack } from '../stack/stack.ts';
import { makeSigningKeys } from '../../tests/test-bindings.ts';
import { buildWithWrangler, serveBundle, benchAuthBindings } from './serve-worker.ts';
import { median } from './bridge-stats.ts';

const USERS = Number(process.env.BENCH_BURST ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PASSWORD = 'correct horse battery staple';

// The Worker's console (Miniflare writes it to this process's output): the reports a busy isolate causes.
const reports: string[] = [];
const print = process.stdout.write.bind(process.stdout);
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = String(chunk);
    if (/\[error\]|TimeoutError|timed out/i.test(text)) {
      reports.push(text.trim().slice(0, 160));
      return true;
    }
    return write(chunk, ...rest);
  }) as typeof stream.write;
}

const profile = stackProfile('bench');
const script = await buildWithWrangler(join(repoRoot, 'wrangler.toml'), join(repoRoot, '.bench/burst'));
const stack = await startStack(profile, () => undefined);
const keys = await makeSigningKeys();
const worker = await serveBundle(script, benchAuthBindings(workerBindings(profile), keys));

let ip = 0;
const nextIp = () => {
  ip += 1;
  return `198.51.${Math.floor(ip / 250)}.${ip % 250}`;
};
async function post(path: string, body: unknown): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const res = await fetch(worker.url + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'cf-connecting-ip': nextIp(),
      'user-agent': 'Mozilla/5.0 Chrome/131.0',
    },
    body: JSON.stringify(body),
  });
  await res.text();
  return { status: res.status, ms: performance.now() - started };
}

try {
  const emails = Array.from({ length: USERS }, (_, i) => `burst-${Date.now()}-${i}@example.com`);
  // Created one after another: the signups are not what is measured.
  for (const email of emails) {
    const res = await post('/api/auth/signup', { email, password: PASSWORD, name: 'Burst' });
    if (res.status !== 201) throw new Error(`signup answered ${res.status}`);
  }
  let fivexx = 0;
  console.log(`${USERS} logins at once, ${ROUNDS} rounds (built auth Worker under Miniflare, local stack)`);
  for (let round = 1; round <= ROUNDS; round++) {
    reports.length = 0;
    const started = performance.now();
    const answers = await Promise.all(emails.map((email) => post('/api/auth/login', { email, password: PASSWORD })));
    const wall = performance.now() - started;
    const byStatus = new Map<number, number>();
    for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
    fivexx += answers.filter((a) => a.status >= 500).length;
    const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
    console.log(
      `  round ${round}: ${[...byStatus].map(([s, n]) => `${n}x${s}`).join(', ')}; median ${median(ms).toFixed(0)} ms, max ${ms[ms.length - 1]!.toFixed(0)} ms, ${(USERS / (wall / 1000)).toFixed(1)} logins/s; reports (skipped checks, deadlines): ${reports.length}`,
    );
    for (const r of new Set(reports.map((r) => r.replace(/\s+/g, ' ').slice(0, 140)))) print(`    ${r}\n`);
    // Let the after-response work (events, detection) finish before the next round.
    await new Promise((r) => setTimeout(r, 2000));
  }
  if (fivexx > 0) process.exitCode = 1;
} finally {
  await worker.dispose();
  await stack.stop();
}
