/**
 * `npm run bench:long-session`: what a long-lived session costs the Bearer check. Signs up, times
 * GET /api/auth/me and the check's SQL statement alone (EXPLAIN ANALYZE of the statement
 * caller-state.ts builds), rotates the session's refresh token 1,000 times through
 * POST /api/auth/refresh, and times both again. Runs its own stack (profile `bench`) and the built
 * auth Worker under Miniflare, like `npm run bench`. Figures go in docs/benchmarks.md.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';
import { decodeJwt } from 'jose';
import pg from 'pg';
import { postgresUrl, repoRoot, stackProfile, workerBindings } from '../stack/profile.ts';
import { startStack } from '../stack/stack.ts';
import { makeSigningKeys } from '../../tests/test-bindings.ts';
import { buildWithWrangler, serveBundle, benchAuthBindings } from './serve-worker.ts';
import { median, percentile } from './bridge-stats.ts';
import { BENCH_SECURITY_CONFIG } from './bench-limits.ts';

const ROTATIONS = Number(process.env.BENCH_ROTATIONS ?? 1000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const EXPLAINS = Number(process.env.BENCH_EXPLAINS ?? 50);
// BENCH_PLAN=1 also prints the text plan of each EXPLAIN ANALYZE.
const profile = stackProfile('bench');
const outdir = join(repoRoot, '.bench');
mkdirSync(outdir, { recursive: true });

// The Bearer check's statement, built by the code itself (see bearer-statement.ts).
const helper = join(outdir, 'bearer-statement.mjs');
await build({
  entryPoints: [join(repoRoot, 'scripts/bench/bearer-statement.ts')],
  outfile: helper,
  bundle: true,
  format: 'esm',
  platform: 'node',
  packages: 'external',
  logLevel: 'error',
});
const { bearerCheckStatement } = (await import(pathToFileURL(helper).href)) as {
  bearerCheckStatement: (userId: string, sessionId: string) => Promise<{ sql: string; params: unknown[] }>;
};

// Built before the stack starts, so a failed build leaves no stack behind.
const bundle = await buildWithWrangler('wrangler.toml', join(outdir, 'auth'));
const keys = await makeSigningKeys();
const stack = await startStack(profile, () => undefined);
const sqlClient = new pg.Client({ connectionString: postgresUrl(profile) });
let auth: Awaited<ReturnType<typeof serveBundle>> | undefined;
let base = ''; // the auth Worker's URL, once it is served

const headers = { 'user-agent': 'bench/1.0 Chrome/131.0', 'cf-connecting-ip': '203.0.113.7' };

async function post(path: string, body: unknown): Promise<Record<string, string>> {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as Record<string, string>;
}

/** Wall time of GET /api/auth/me, client to response, in ms. */
async function timeMe(accessToken: string, samples: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    const res = await fetch(`${base}/api/auth/me`, { headers: { ...headers, authorization: `Bearer ${accessToken}` } });
    await res.text();
    times.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`/me answered ${res.status}`);
  }
  return times;
}

interface PlanNode {
  'Node Type': string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
}

/** Rows the plan's scans read: returned plus filtered out, over every loop. */
function rowsRead(node: PlanNode): number {
  const own = node['Node Type'].includes('Scan')
    ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops']
    : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child), 0);
}

/** Postgres's own execution time of the Bearer check (EXPLAIN ANALYZE), the rows it read and the buffers it touched. */
async function explainBearerCheck(userId: string, sessionId: string) {
  const statement = await bearerCheckStatement(userId, sessionId);
  const times: number[] = [];
  let plan: PlanNode | undefined;
  for (let i = 0; i < EXPLAINS; i++) {
    const { rows } = await sqlClient.query(
      `explain (analyze, buffers, format json) ${statement.sql}`,
      statement.params,
    );
    const [result] = rows[0]['QUERY PLAN'] as Array<{ 'Execution Time': number; Plan: PlanNode }>;
    times.push(result!['Execution Time']);
    plan = result!.Plan;
  }
  if (!plan) throw new Error('no plan');
  if (process.env.BENCH_PLAN) {
    const { rows } = await sqlClient.query(`explain (analyze, buffers) ${statement.sql}`, statement.params);
    console.log(rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'));
  }
  return {
    median: median(times),
    rows: rowsRead(plan),
    buffers: plan['Shared Hit Blocks'] + plan['Shared Read Blocks'],
  };
}

async function measure(label: string, accessToken: string, userId: string, sessionId: string) {
  await sleep(1000); // let the after-response work of earlier requests land
  const { rows } = await sqlClient.query<{ n: number }>(
    'select count(*)::int as n from refresh_tokens where session_id = $1',
    [sessionId],
  );
  await timeMe(accessToken, 20); // warm up
  const me = await timeMe(accessToken, SAMPLES);
  const sql = await explainBearerCheck(userId, sessionId);
  return {
    label,
    tokens: rows[0]!.n,
    meMedian: median(me),
    meP95: percentile(me, 95),
    sqlMedian: sql.median,
    rows: sql.rows,
    buffers: sql.buffers,
  };
}

try {
  auth = await serveBundle(
    bundle,
    benchAuthBindings(workerBindings(profile), keys, { SECURITY_CONFIG: BENCH_SECURITY_CONFIG }),
  );
  base = auth.url;
  await sqlClient.connect();
  const signup = await post('/api/auth/signup', {
    email: `long-${Date.now()}@example.com`,
    password: 'correct horse battery staple',
    name: 'Bench',
  });
  const { sub: userId, sid: sessionId } = decodeJwt(signup.accessToken as string) as { sub: string; sid: string };
  const results = [await measure('new session', signup.accessToken as string, userId, sessionId)];

  let current = signup;
  for (let i = 0; i < ROTATIONS; i++) current = await post('/api/auth/refresh', { refreshToken: current.refreshToken });
  if (decodeJwt(current.accessToken as string).sid !== sessionId) throw new Error('rotation left the session');
  results.push(await measure(`after ${ROTATIONS} rotations`, current.accessToken as string, userId, sessionId));

  console.log(
    `\nBearer check on one session: GET /api/auth/me (${SAMPLES} requests, wall time) and its SQL statement alone (EXPLAIN ANALYZE, median of ${EXPLAINS})`,
  );
  console.log(
    '| session | token rows | /me median ms | /me p95 ms | SQL execution median ms | rows read | buffers touched |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.label} | ${r.tokens} | ${r.meMedian.toFixed(1)} | ${r.meP95.toFixed(1)} | ${r.sqlMedian.toFixed(3)} | ${r.rows} | ${r.buffers} |`,
    );
  }
} finally {
  await sqlClient.end().catch(() => undefined);
  await auth?.dispose();
  await stack.stop();
}
