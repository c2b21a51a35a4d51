/**
 * `npm run bench:dashboard`: the dashboard API on a service's worth of data. Seeds 1,000,000 security
 * events over 30 days and 100,000 sessions (dashboard-seed.ts) in its own stack (profile `bench`),
 * serves the built dashboard Worker and the auth Worker it verifies tokens with (its AUTH binding)
 * under Miniflare, and prints the median and p95 of each case, client to response, against its
 * target. The metrics rollup is built first, as the five-minute cron keeps it (src/lib/metrics/metrics-rollup.ts),
 * and the time that takes is printed. Then Postgres's own time for the metrics statement per window, and
 * for the windows over 24 hours the raw statement's beside the rollup's.
 *
 * A case is one line in CASES. A route that answers 404 is printed "not built" (the events route is
 * being built beside this). BENCH_EVENTS / BENCH_SESSIONS scale the data down for a quick look,
 * BENCH_SAMPLES sets the requests per case (default 40).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';
import pg from 'pg';
import { postgresUrl, repoRoot, stackProfile, workerBindings } from '../stack/profile.ts';
import { startStack } from '../stack/stack.ts';
import { makeSigningKeys } from '../../tests/test-bindings.ts';
import { buildWithWrangler, serveBundles } from './serve-worker.ts';
import { median, percentile } from './bridge-stats.ts';
import { BENCH_SECURITY_CONFIG } from './bench-limits.ts';
import { ATTACKER_IP, BUSY_USER_ID_SQL, seedDashboardData } from './dashboard-seed.ts';

const SIZE = {
  events: Number(process.env.BENCH_EVENTS ?? 1_000_000),
  sessions: Number(process.env.BENCH_SESSIONS ?? 100_000),
  users: 20_000,
};
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40);
const WARMUP = 3;
const HOUR_MS = 3_600_000;
const WINDOWS = [
  ['1h', HOUR_MS],
  ['12h', 12 * HOUR_MS],
  ['24h', 24 * HOUR_MS],
  ['7d', 7 * 24 * HOUR_MS],
  ['30d', 30 * 24 * HOUR_MS],
] as const;

const profile = stackProfile('bench');
const outdir = join(repoRoot, '.bench');
mkdirSync(outdir, { recursive: true });

const helperPath = join(outdir, 'dashboard-helpers.mjs');
await build({
  entryPoints: [join(repoRoot, 'scripts/bench/dashboard-helpers.ts')],
  outfile: helperPath,
  bundle: true,
  format: 'esm',
  platform: 'node',
  packages: 'external',
  logLevel: 'error',
});
const helpers = (await import(pathToFileURL(helperPath).href)) as {
  metricsStatement: (windowMs: number, now: Date, raw?: boolean) => { sql: string; params: unknown[] };
  refreshRollup: (
    database: { url: string; fetchEndpoint?: string },
    now: Date,
  ) => Promise<{ hours: number; status: string }>;
  blockIps: (
    redis: { url: string; token: string },
    ips: string[],
    reason: string,
    seconds: number,
    now: Date,
  ) => Promise<void>;
};

/** Postgres's own execution times of a statement (EXPLAIN ANALYZE without per-node timing), in ms. */
async function executionTimes(client: pg.Client, sql: string, params: unknown[], runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { rows } = await client.query(`explain (analyze, timing off, format json) ${sql}`, params);
    times.push((rows[0]['QUERY PLAN'] as Array<{ 'Execution Time': number }>)[0]!['Execution Time']);
  }
  return times;
}

// Built before the stack starts, so a failed build leaves no stack behind.
const dashboardBundle = await buildWithWrangler('src/functions/dashboard/wrangler.toml', join(outdir, 'dashboard'));
const authBundle = await buildWithWrangler('wrangler.toml', join(outdir, 'auth'));
const keys = await makeSigningKeys();
const stack = await startStack(profile, () => undefined);
const sqlClient = new pg.Client({ connectionString: postgresUrl(profile) });
let served: Awaited<ReturnType<typeof serveBundles>> | undefined;

/** What a case's path may need: the seeded data's handles, and a GET that answers JSON. */
interface CaseContext {
  busyUserId: string;
  get: (path: string) => Promise<{ status: number; body: Record<string, unknown> }>;
}
interface BenchCase {
  name: string;
  targetMs: number;
  path: string | ((ctx: CaseContext) => Promise<string | undefined>);
}

const METRICS_TARGET_MS = 200;
const EVENTS_TARGET_MS = 50;
const EVENTS = '/api/auth/security/events';
const tenDaysAgo = new Date(Date.now() - 10 * 24 * HOUR_MS);

/** Follows `pages` cursors from the newest page; undefined when a page has none. */
async function pageAfter(ctx: CaseContext, pages: number): Promise<string | undefined> {
  let cursor: unknown;
  for (let i = 0; i < pages; i++) {
    const res = await ctx.get(`${EVENTS}?limit=50${cursor ? `&cursor=${encodeURIComponent(String(cursor))}` : ''}`);
    if (res.status === 404) return `${EVENTS}?limit=50`; // not built: the measured call says so
    cursor = res.body.nextCursor;
    if (typeof cursor !== 'string') return undefined;
  }
  return `${EVENTS}?limit=50&cursor=${encodeURIComponent(String(cursor))}`;
}

const CASES: BenchCase[] = [
  ...WINDOWS.map(([label]) => ({
    name: `metrics ${label}`,
    targetMs: METRICS_TARGET_MS,
    path: `/api/auth/security/metrics?window=${label}`,
  })),
  { name: 'events: newest page', targetMs: EVENTS_TARGET_MS, path: `${EVENTS}?limit=50` },
  { name: 'events: type', targetMs: EVENTS_TARGET_MS, path: `${EVENTS}?type=failed_login_attempt&limit=50` },
  { name: 'events: severity', targetMs: EVENTS_TARGET_MS, path: `${EVENTS}?severity=high&limit=50` },
  {
    name: 'events: userId',
    targetMs: EVENTS_TARGET_MS,
    path: async (ctx) => `${EVENTS}?userId=${ctx.busyUserId}&limit=50`,
  },
  { name: 'events: ip', targetMs: EVENTS_TARGET_MS, path: `${EVENTS}?ip=${ATTACKER_IP}&limit=50` },
  {
    name: 'events: from/to (1 h, 10 days ago)',
    targetMs: EVENTS_TARGET_MS,
    path: `${EVENTS}?from=${new Date(tenDaysAgo.getTime() - HOUR_MS).toISOString()}&to=${tenDaysAgo.toISOString()}&limit=50`,
  },
  {
    name: 'events: type + ip',
    targetMs: EVENTS_TARGET_MS,
    path: `${EVENTS}?type=failed_login_attempt&ip=${ATTACKER_IP}&limit=50`,
  },
  { name: 'events: limit 200', targetMs: EVENTS_TARGET_MS, path: `${EVENTS}?limit=200` },
  { name: 'events: page 2 (cursor)', targetMs: EVENTS_TARGET_MS, path: (ctx) => pageAfter(ctx, 1) },
  { name: 'events: page 101 (cursor)', targetMs: EVENTS_TARGET_MS, path: (ctx) => pageAfter(ctx, 100) },
];

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  console.log(`  ${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

interface Outcome {
  name: string;
  targetMs: number;
  result: { median: number; p95: number } | 'not built' | string;
}

try {
  await sqlClient.connect();
  console.log(`Seeding ${SIZE.events} events, ${SIZE.sessions} sessions, ${SIZE.users} users ...`);
  await seedDashboardData(sqlClient, SIZE, timed);
  const bindings = workerBindings(profile);
  const database = { url: bindings.DATABASE_URL!, fetchEndpoint: bindings.NEON_FETCH_ENDPOINT };
  const built = await timed('the metrics rollup built from nothing (the first five-minute run)', () =>
    helpers.refreshRollup(database, new Date()),
  );
  if (built.status !== 'succeeded') throw new Error(`the rollup build ended ${built.status}`);
  const refreshStarted = performance.now();
  await helpers.refreshRollup(database, new Date());
  console.log(
    `  a five-minute refresh after it (the last hours counted again): ${(performance.now() - refreshStarted).toFixed(0)} ms`,
  );
  await helpers.blockIps(
    { url: bindings.UPSTASH_REDIS_REST_URL!, token: bindings.UPSTASH_REDIS_REST_TOKEN! },
    Array.from({ length: 40 }, (_, i) => `203.0.113.${100 + i}`),
    'brute_force',
    3600,
    new Date(),
  );

  const base = { ...bindings, ENVIRONMENT: 'test', JWT_ISSUER: 'http://bench', JWT_AUDIENCE: 'edge-auth-api' };
  served = await serveBundles([
    {
      name: 'edge-auth-dashboard',
      scriptPath: dashboardBundle,
      bindings: base,
      serviceBindings: { AUTH: 'edge-auth' },
    },
    {
      name: 'edge-auth',
      scriptPath: authBundle,
      // An hour-long access token: the admin's one token lasts the whole run.
      bindings: {
        ...base,
        JWT_PRIVATE_JWK: keys.privateJwk,
        JWT_PUBLIC_JWKS: '[]',
        SECURITY_CONFIG: BENCH_SECURITY_CONFIG,
        ACCESS_TOKEN_TTL_SECONDS: '3600',
      },
    },
  ]);

  // The admin signs up at the auth Worker the dashboard is bound to, and is made admin as `npm run user:role` does.
  const signup = await served.fetchWorker('edge-auth', 'http://edge-auth/api/auth/signup', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'bench/1.0 Chrome/131.0',
      'cf-connecting-ip': '203.0.113.250',
    },
    body: JSON.stringify({
      email: `bench-admin-${Date.now()}@example.com`,
      password: 'correct horse battery staple',
      name: 'Bench admin',
    }),
  });
  const admin = (await signup.json()) as { accessToken?: string; user?: { id: string } };
  if (signup.status !== 201 || !admin.accessToken || !admin.user)
    throw new Error(`signup answered ${signup.status}: ${JSON.stringify(admin)}`);
  await sqlClient.query(`update users set role = 'admin' where id = $1`, [admin.user.id]);
  const token = admin.accessToken;
  await sleep(1000); // the signup's events land after its response

  const dashboard = served.url;
  const get = async (path: string) => {
    const res = await fetch(dashboard + path, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const busyUserId = (await sqlClient.query<{ id: string }>(`select ${BUSY_USER_ID_SQL}::text as id`)).rows[0]!.id;
  const ctx: CaseContext = { busyUserId, get };

  const outcomes: Outcome[] = [];
  for (const c of CASES) {
    const path = typeof c.path === 'string' ? c.path : await c.path(ctx);
    if (path === undefined) {
      outcomes.push({ name: c.name, targetMs: c.targetMs, result: 'no such page in the data' });
      continue;
    }
    const first = await get(path);
    if (first.status === 404) {
      outcomes.push({ name: c.name, targetMs: c.targetMs, result: 'not built' });
      continue;
    }
    if (first.status !== 200)
      throw new Error(`${c.name}: ${path} answered ${first.status}: ${JSON.stringify(first.body)}`);
    for (let i = 1; i < WARMUP; i++) await get(path);
    const times: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const started = performance.now();
      const res = await fetch(dashboard + path, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      times.push(performance.now() - started);
      if (res.status !== 200) throw new Error(`${c.name}: answered ${res.status}`);
    }
    outcomes.push({
      name: c.name,
      targetMs: c.targetMs,
      result: { median: median(times), p95: percentile(times, 95) },
    });
  }

  const counts = (
    await sqlClient.query<{ events: number; sessions: number; live: number }>(`select
    (select count(*)::int from security_events) as events, (select count(*)::int from sessions) as sessions,
    (select count(*)::int from sessions where revoked_at is null and idle_expires_at > now()) as live`)
  ).rows[0]!;
  console.log(
    `\nDashboard API on ${counts.events} events and ${counts.sessions} sessions (${counts.live} live), ${SAMPLES} requests per case after ${WARMUP} warm-up, client to response`,
  );
  console.log('| case | median ms | p95 ms | target p95 | |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const o of outcomes) {
    if (typeof o.result === 'string') console.log(`| ${o.name} | ${o.result} | | ${o.targetMs} ms | |`);
    else
      console.log(
        `| ${o.name} | ${o.result.median.toFixed(1)} | ${o.result.p95.toFixed(1)} | ${o.targetMs} ms | ${o.result.p95 <= o.targetMs ? 'met' : 'missed'} |`,
      );
  }

  const runs = Math.max(5, Math.round(SAMPLES / 4));
  console.log(
    `\nThe metrics statement alone: Postgres's execution time (EXPLAIN ANALYZE, no per-node timing), median and p95 of ${runs}`,
  );
  console.log(
    '| window | statement the route sends: median / p95 ms | plan of the events scan | without the rollup: median / p95 ms |',
  );
  console.log('| --- | --- | --- | --- |');
  for (const [label, ms] of WINDOWS) {
    const statement = helpers.metricsStatement(ms, new Date());
    const times = await executionTimes(sqlClient, statement.sql, statement.params, runs);
    const { rows } = await sqlClient.query(`explain (format json) ${statement.sql}`, statement.params);
    let raw = 'the same statement';
    if (ms > 24 * HOUR_MS) {
      const rawStatement = helpers.metricsStatement(ms, new Date(), true);
      const rawTimes = await executionTimes(sqlClient, rawStatement.sql, rawStatement.params, runs);
      raw = `${median(rawTimes).toFixed(1)} / ${percentile(rawTimes, 95).toFixed(1)}`;
    }
    console.log(
      `| ${label} | ${median(times).toFixed(1)} / ${percentile(times, 95).toFixed(1)} | ${scanOf(rows[0]['QUERY PLAN'][0].Plan as PlanNode)} | ${raw} |`,
    );
  }
} finally {
  await sqlClient.end().catch(() => undefined);
  await served?.dispose();
  await stack.stop();
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Subplan Name'?: string;
  'Parent Relationship'?: string;
  Plans?: PlanNode[];
}

/** How the `counts` CTE reads security_events: the first scan of that table under the CTE. */
function scanOf(root: PlanNode): string {
  const cte = (root.Plans ?? []).find((p) => p['Subplan Name'] === 'CTE counts') ?? root;
  const walk = (node: PlanNode): string | undefined => {
    if (node['Relation Name'] === 'security_events' || node['Index Name']?.startsWith('security_events')) {
      const index = node['Index Name'] ?? node.Plans?.find((p) => p['Index Name'])?.['Index Name'];
      return index ? `${node['Node Type']} (${index})` : node['Node Type'];
    }
    for (const child of node.Plans ?? []) {
      const found = walk(child);
      if (found) return found;
    }
    return undefined;
  };
  return walk(cte) ?? '?';
}
