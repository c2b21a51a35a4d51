/**
 * `npm run bench:alerts`: how long an alert takes from the detecting request to the receiver, and that a
 * failing receiver does not slow the auth requests. Serves the built auth Worker under Miniflare against
 * a stack of its own, with ALERT_WEBHOOK_URL pointing at a receiver in this process; each round is a
 * brute force (5 wrong passwords for one email from a fresh IP: the 5th raises a high alert). Prints the
 * median, p95 and max of detection-to-arrival, and the detecting request's own latency with a healthy
 * receiver and with one that answers 500 after 3 s.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { repoRoot, stackProfile, workerBindings } from '../stack/profile.ts';
import { startStack } from '../stack/stack.ts';
import { makeSigningKeys } from '../../tests/test-bindings.ts';
import { buildWithWrangler, serveBundle, benchAuthBindings } from './serve-worker.ts';
import { median, percentile } from './bridge-stats.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);

// The receiver: notes when each alert (by its IP) arrived; answers as the phase wants.
const arrivals = new Map<string, number>();
let failing = false;
const receiver = createServer((req: IncomingMessage, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alert: { ip: string | null } };
    if (body.alert.ip && !arrivals.has(body.alert.ip)) arrivals.set(body.alert.ip, performance.now());
    if (failing) setTimeout(() => res.writeHead(500).end(), 3000);
    else res.writeHead(200).end('ok');
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

const profile = stackProfile('bench');
const stack = await startStack(profile, () => undefined);
const keys = await makeSigningKeys();
const script = await buildWithWrangler(join(repoRoot, 'wrangler.toml'), join(repoRoot, '.bench/alerts'));
const worker = await serveBundle(
  script,
  benchAuthBindings(workerBindings(profile), keys, {
    ALERT_WEBHOOK_URL: receiverUrl,
    ALERT_WEBHOOK_FORMAT: 'json',
    ALERT_WEBHOOK_SECRET: 'bench-webhook-secret-0123456789',
  }),
);

let ipCounter = 0;
async function bruteForce(): Promise<{ ip: string; sentAt: number; detectingMs: number }> {
  ipCounter += 1;
  const ip = `198.19.${Math.floor(ipCounter / 250)}.${ipCounter % 250}`;
  const email = `bench-${Date.now()}-${ipCounter}@example.com`;
  let sentAt = 0;
  let detectingMs = 0;
  for (let i = 0; i < 5; i++) {
    sentAt = performance.now();
    const res = await fetch(`${worker.url}/api/auth/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'cf-connecting-ip': ip,
        'user-agent': 'Mozilla/5.0 Firefox/133.0',
      },
      body: JSON.stringify({ email, password: 'not the password at all' }),
    });
    await res.text();
    detectingMs = performance.now() - sentAt;
    if (res.status !== 401) throw new Error(`login answered ${res.status}`);
  }
  return { ip, sentAt, detectingMs };
}

async function waitForArrival(ip: string, timeoutMs = 20_000): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const at = arrivals.get(ip);
    if (at !== undefined) return at;
    await new Promise((r) => setTimeout(r, 10));
  }
  return undefined;
}

try {
  const latencies: number[] = [];
  const healthyDetecting: number[] = [];
  let missing = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const round = await bruteForce();
    healthyDetecting.push(round.detectingMs);
    const at = await waitForArrival(round.ip);
    if (at === undefined) missing += 1;
    else latencies.push(at - round.sentAt);
  }
  failing = true;
  const failingDetecting: number[] = [];
  for (let i = 0; i < Math.min(ROUNDS, 10); i++) failingDetecting.push((await bruteForce()).detectingMs);

  const fmt = (n: number) => `${n.toFixed(0)} ms`;
  console.log(`alert delivery, ${ROUNDS} brute forces (built auth Worker under Miniflare, local stack)`);
  console.log(
    `  detecting request -> receiver: median ${fmt(median(latencies))}, p95 ${fmt(percentile(latencies, 95))}, max ${fmt(Math.max(...latencies))}, not arrived in 20 s: ${missing}`,
  );
  console.log(
    `  the detecting request itself: median ${fmt(median(healthyDetecting))} (receiver healthy), ${fmt(median(failingDetecting))} (receiver answers 500 after 3 s)`,
  );
  if (missing > 0) process.exitCode = 1;
} finally {
  await worker.dispose();
  await stack.stop();
  receiver.close();
}
