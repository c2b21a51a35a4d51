/**
 * `npm run bench:load`: the auth Worker under load, beside the floor of any route that needs both stores
 * (scripts/bench/floor-worker.ts: one Upstash GET and one Neon SELECT 1). Its own stack, the built
 * bundles under Miniflare (one isolate each), the security layer on with its thresholds raised above
 * the load (bench-limits.ts), and the load from a separate process (load-driver.ts, autocannon) with a
 * fresh client address per request. Two parts:
 * - saturation: the floor, GET /api/auth/me and a rotating POST /api/auth/refresh, 50 connections,
 *   15 s after a 3 s warm-up: each route's rate as a share of the floor's;
 * - the original plan's shapes at their rates (k6/scenarios.json, which the k6 scripts read too).
 * Per scenario: req/s, p50/p95/p99, statuses, round trips per request at the bridges (after-response
 * work included), CPU per request (the workerd process's, the floor's own for the floor; Postgres's; the
 * bridges', which run in this process; the whole machine's) and memory. Writes .bench/load.json; exits 1
 * on any 5xx. BENCH_ROUNDS, BENCH_EVENTS, BENCH_SOAK_SECONDS and BENCH_PLAN are described below.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Result } from 'autocannon';
import { repoRoot, stackProfile, workerBindings } from '../stack/profile.ts';
import { startStack } from '../stack/stack.ts';
import { makeSigningKeys } from '../../tests/test-bindings.ts';
import { benchAuthBindings, buildBenchWorker, buildWithWrangler, serveBundle } from './serve-worker.ts';
import { bridgeCounters } from './bridge-stats.ts';
import { BENCH_SECURITY_CONFIG } from './bench-limits.ts';
import type { DriverScenario } from './load-driver.ts';
import { heapUsedMb, inspector } from './inspector.ts';
import { BENCH_CLIENT_HEADERS, signUpPool } from './bench-client.ts';
import { cpuSeconds, cpuSince, machineCpuSeconds, memMiB, namedCpu, workerdPids } from './workerd-process.ts';

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? process.env.BENCH_SECONDS ?? 15);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = 50;
/**
 * `BENCH_SOAK_SECONDS=300`: the memory run. The saturation scenarios and the plan's login rate each run
 * this long, and the auth isolate's heap is sampled every 30 s (it must level off).
 */
const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 0);
/** `BENCH_PLAN=0`: only the saturation runs (quicker, for measuring one change). */
const WITH_PLAN = process.env.BENCH_PLAN !== '0';
/** Refresh chains: the warm-up and the measured run each take half, with spares (load-driver.ts). */
const SESSIONS = 2 * CONNECTIONS + 10;
const PASSWORD = 'correct horse battery staple';
const plan = JSON.parse(readFileSync(join(repoRoot, 'k6/scenarios.json'), 'utf8')) as {
  scenarios: Record<string, Record<string, number | string>>;
};
const perSecond = (perMinute: unknown) => Number(perMinute) / 60;

/**
 * `BENCH_EVENTS=queue`: the auth Worker hands its events to a Cloudflare Queue whose consumer inserts
 * each batch (queue-events-worker.ts), instead of the isolate's write-behind batch: the measurement
 * behind that choice (docs/PERFORMANCE.md).
 */
const QUEUED_EVENTS = process.env.BENCH_EVENTS === 'queue';
const QUEUE = 'bench-security-events';
/** The consumer's batch: as many as one insert should carry, or what came within a second. */
const QUEUE_CONSUMER = { maxBatchSize: 100, maxBatchTimeout: 1 };

const outdir = join(repoRoot, '.bench');
mkdirSync(outdir, { recursive: true });
const authBundle = QUEUED_EVENTS
  ? await buildBenchWorker(join(repoRoot, 'scripts/bench/queue-events-worker.ts'), join(outdir, 'load-queue/index.js'))
  : await buildWithWrangler('wrangler.toml', join(outdir, 'load-auth'));
const floorBundle = await buildBenchWorker(
  join(repoRoot, 'scripts/bench/floor-worker.ts'),
  join(outdir, 'floor/index.js'),
);
const profile = stackProfile('bench');
const stack = await startStack(profile, () => undefined);
const keys = await makeSigningKeys();
const bindings = benchAuthBindings(workerBindings(profile), keys, { SECURITY_CONFIG: BENCH_SECURITY_CONFIG });
const before = new Set(workerdPids());
const INSPECTOR_PORT = 9800 + Math.floor(Math.random() * 150);
const auth = await serveBundle(
  authBundle,
  bindings,
  0,
  INSPECTOR_PORT,
  QUEUED_EVENTS
    ? { queueProducers: { EVENT_QUEUE: { queueName: QUEUE } }, queueConsumers: { [QUEUE]: QUEUE_CONSUMER } }
    : {},
);
const authIsolate = await inspector(INSPECTOR_PORT);
const authPid = workerdPids().find((pid) => !before.has(pid));
const beforeFloor = new Set(workerdPids());
const floor = await serveBundle(floorBundle, bindings);
const floorPid = workerdPids().find((pid) => !beforeFloor.has(pid));
const counters = bridgeCounters(
  `http://127.0.0.1:${profile.neonBridgePort}`,
  `http://127.0.0.1:${profile.upstashBridgePort}`,
);

/**
 * `BENCH_ROUNDS=5`: the saturation runs (floor, /me, refresh) this many times in turn, each route's
 * share taken against the floor of its own round, and the round with the median share reported: on a
 * shared machine a single run's share moves by 15 points.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);

interface Row {
  scenario: string;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  statuses: Record<string, number>;
  pgPerRequest: number;
  redisPerRequest: number;
  cpuMsPerRequest: number | null;
  /** Every process's CPU on the machine per request (the stack, the bridges and the driver too). */
  machineCpuMsPerRequest: number;
  /** Postgres's CPU per request (all its processes), and this process's: the two bridges. */
  postgresCpuMsPerRequest: number;
  bridgesCpuMsPerRequest: number;
  rssMb: number | null;
  /** The auth isolate's JavaScript heap in use after the run (MB). */
  heapMb: number | null;
  /** `BENCH_SOAK_SECONDS`: the heap in use every 30 s of the run (MB). */
  heapSeries?: number[];
  /** `BENCH_ROUNDS`: the floor's rate in the round this row was taken from. */
  roundFloorRps?: number;
}

function shareOf(round: Row[], scenario: string): number {
  const floorRate = round.find((r) => r.scenario === 'floor')?.rps ?? Number.NaN;
  return (100 * (round.find((r) => r.scenario === scenario)?.rps ?? 0)) / floorRate;
}

/** Per route, its row from the round where its share of the floor is the median (the floor's: the median rate). */
function medianRound(rounds: Row[][]): Row[] {
  if (rounds.length === 1) return rounds[0]!;
  const middle = <T>(sorted: T[]) => sorted[Math.floor((sorted.length - 1) / 2)]!;
  return rounds[0]!.map(({ scenario }) => {
    const key = (round: Row[]) =>
      scenario === 'floor' ? round.find((r) => r.scenario === scenario)!.rps : shareOf(round, scenario);
    const round = middle([...rounds].sort((a, b) => key(a) - key(b)));
    const row = round.find((r) => r.scenario === scenario)!;
    // The share printed below is against the floor's median rate; keep it the round's own share.
    const floorRow = scenario === 'floor' ? row : round.find((r) => r.scenario === 'floor');
    return { ...row, ...(floorRow ? { roundFloorRps: floorRow.rps } : {}) };
  });
}

async function drive(name: string, scenario: DriverScenario): Promise<Row> {
  const child = spawn(process.execPath, [join(repoRoot, 'scripts/bench/load-driver.ts'), JSON.stringify(scenario)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  let cpuAtStart = 0;
  const measuring = new Promise<void>((resolve) =>
    child.stderr.on('data', (c: Buffer) => {
      if (c.toString().includes('measuring')) resolve();
    }),
  );
  await measuring;
  await counters.reset();
  const heapSeries: number[] = [];
  const sampling =
    name === 'floor' || SOAK_SECONDS === 0
      ? undefined
      : setInterval(() => void heapUsedMb(authIsolate).then((mb) => heapSeries.push(mb)), 30_000);
  const pid = name === 'floor' ? floorPid : authPid;
  if (pid) cpuAtStart = cpuSeconds(pid);
  const machineAtStart = machineCpuSeconds();
  const postgresAtStart = namedCpu('postgres');
  const bridgesAtStart = cpuSeconds(process.pid);
  await new Promise((resolve) => child.on('exit', resolve));
  const machineCpu = machineCpuSeconds() - machineAtStart;
  const postgresCpu = cpuSince('postgres', postgresAtStart);
  const bridgesCpu = cpuSeconds(process.pid) - bridgesAtStart;
  clearInterval(sampling);
  // After-response work (events, detection) of the last requests; a queued event waits for its batch.
  await sleep(QUEUED_EVENTS ? 1000 + 1000 * QUEUE_CONSUMER.maxBatchTimeout + 500 : 1000);
  const trips = await counters.read();
  const result = JSON.parse(stdout) as Result;
  const total = Math.max(1, result.requests.total);
  const statuses: Record<string, number> = {};
  for (const [code, n] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = (n as { count: number }).count;
  if (result.errors) statuses.errors = result.errors;
  return {
    scenario: name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p95: result.latency.p97_5 ?? result.latency.p90,
    p99: result.latency.p99,
    statuses,
    pgPerRequest: trips.postgres / total,
    redisPerRequest: trips.redis / total,
    cpuMsPerRequest: pid ? ((cpuSeconds(pid) - cpuAtStart) * 1000) / total : null,
    machineCpuMsPerRequest: (machineCpu * 1000) / total,
    postgresCpuMsPerRequest: (postgresCpu * 1000) / total,
    bridgesCpuMsPerRequest: (bridgesCpu * 1000) / total,
    rssMb: pid ? memMiB(pid) : null,
    heapMb: name === 'floor' ? null : await heapUsedMb(authIsolate),
    ...(heapSeries.length > 0 ? { heapSeries } : {}),
  };
}

try {
  // Sessions made one after another (each a password hash): the pools the scenarios use.
  const accounts = await signUpPool(auth.url, SESSIONS, {
    emailPrefix: 'load-pool',
    ipPrefix: '172.16.0',
    password: PASSWORD,
  });
  const access = accounts.map((a) => a.accessToken);
  const refresh = accounts.map((a) => a.refreshToken);
  const emails = accounts.map((a) => a.email);
  const saturate = { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP };
  const rounds: Row[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rows: Row[] = [];
    // The soak measures memory, not shares: no floor then.
    if (SOAK_SECONDS === 0) rows.push(await drive('floor', { kind: 'floor', url: floor.url, ...saturate }));
    rows.push(await drive('GET /api/auth/me', { kind: 'me', url: auth.url, pool: access, ...saturate }));
    // Each round rotates the chains it was given: the next one starts from new sessions.
    const chains = round === 0 ? refresh : await freshRefreshTokens(emails, SESSIONS);
    rows.push(await drive('POST /api/auth/refresh', { kind: 'refresh', url: auth.url, pool: chains, ...saturate }));
    rounds.push(rows);
  }
  const rows = medianRound(rounds);
  // 50 logins at a time, for the whole run: every one answers 200 or 429, never 503 (password-slots.ts).
  rows.push(
    await drive('POST /api/auth/login, 50 at once', {
      kind: 'login',
      url: auth.url,
      pool: emails,
      connections: CONNECTIONS,
      seconds: SECONDS,
      password: PASSWORD,
    }),
  );
  const shape = { connections: 20, seconds: SECONDS, password: PASSWORD };
  const s = plan.scenarios;
  if (WITH_PLAN) await drivePlan();
  async function drivePlan() {
    rows.push(
      await drive(`plan: signup ${s.signup!.ratePerMinute}/min`, {
        kind: 'signup',
        url: auth.url,
        overallRate: perSecond(s.signup!.ratePerMinute),
        ...shape,
      }),
    );
    rows.push(
      await drive(`plan: login ${s.login!.ratePerMinute}/min`, {
        kind: 'login',
        url: auth.url,
        pool: emails,
        overallRate: perSecond(s.login!.ratePerMinute),
        ...shape,
      }),
    );
    rows.push(
      await drive(`plan: refresh ${s.refresh!.ratePerMinute}/min`, {
        kind: 'refresh',
        url: auth.url,
        pool: await freshRefreshTokens(emails, 30),
        overallRate: perSecond(s.refresh!.ratePerMinute),
        ...shape,
      }),
    );
    const sessions = Number(s.sessions!.concurrentSessions);
    rows.push(
      await drive(`plan: ${sessions} sessions' /me (one each ${s.sessions!.meEverySeconds} s)`, {
        kind: 'me',
        url: auth.url,
        pool: access,
        overallRate: sessions / Number(s.sessions!.meEverySeconds),
        ...shape,
      }),
    );
  }

  const floorRate = rows.find((r) => r.scenario === 'floor')?.rps;
  console.log(
    `\nbench:load, ${SECONDS} s per scenario (${WARMUP} s warm-up for the saturation runs), built Workers under Miniflare, one isolate each`,
  );
  if (ROUNDS > 1) {
    console.log(
      `saturation in ${ROUNDS} rounds (floor, /me, refresh each); the table gives each route's median round:`,
    );
    for (const r of rounds[0]!.slice(1))
      console.log(`  ${r.scenario}: ${rounds.map((round) => `${shareOf(round, r.scenario).toFixed(0)}%`).join(', ')}`);
  }
  console.log(
    '| scenario | req/s | share of the floor | p50 ms | p95 ms | p99 ms | statuses | PG / req | Redis / req | CPU ms / req: workerd, Postgres, bridges, machine | RSS MB | heap MB |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const floorOfRow = r.roundFloorRps ?? floorRate;
    const share =
      floorOfRow === undefined || r.scenario.startsWith('plan') || r.scenario.includes('login')
        ? '-'
        : `${((100 * r.rps) / floorOfRow).toFixed(0)}%`;
    console.log(
      `| ${r.scenario} | ${r.rps.toFixed(0)} | ${share} | ${r.p50} | ${r.p95} | ${r.p99} | ${Object.entries(r.statuses)
        .map(([k, v]) => `${v}x${k}`)
        .join(
          ', ',
        )} | ${r.pgPerRequest.toFixed(2)} | ${r.redisPerRequest.toFixed(2)} | ${[r.cpuMsPerRequest, r.postgresCpuMsPerRequest, r.bridgesCpuMsPerRequest, r.machineCpuMsPerRequest].map((ms) => ms?.toFixed(2) ?? '-').join(', ')} | ${r.rssMb?.toFixed(0) ?? '-'} | ${r.heapMb?.toFixed(1) ?? '-'} |`,
    );
  }
  for (const r of rows)
    if (r.heapSeries)
      console.log(
        `heap of the auth isolate every 30 s, ${r.scenario}: ${r.heapSeries.map((mb) => mb.toFixed(1)).join(' ')} MB`,
      );
  console.log('(p95 column: autocannon reports p97.5, the nearest percentile it has above 95)');
  writeFileSync(
    join(outdir, QUEUED_EVENTS ? 'load-queue.json' : 'load.json'),
    JSON.stringify(
      {
        at: new Date().toISOString(),
        events: QUEUED_EVENTS ? 'queue' : 'isolate batch',
        rows,
        ...(ROUNDS > 1 ? { rounds } : {}),
      },
      null,
      2,
    ),
  );
  if (rows.some((r) => Object.keys(r.statuses).some((code) => code.startsWith('5')))) process.exitCode = 1;

  /** The refresh chains were rotated by the saturation run: new sessions for the plan's refresh rate. */
  async function freshRefreshTokens(pool: string[], count: number): Promise<string[]> {
    const tokens: string[] = [];
    for (const [i, email] of pool.slice(0, count).entries()) {
      const res = await fetch(`${auth.url}/api/auth/login`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'cf-connecting-ip': `172.17.${Math.floor(i / 250)}.${(i % 250) + 1}`,
          ...BENCH_CLIENT_HEADERS,
        },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      tokens.push(((await res.json()) as { refreshToken: string }).refreshToken);
    }
    return tokens;
  }
} finally {
  authIsolate.close();
  await auth.dispose();
  await floor.dispose();
  await stack.stop();
}
