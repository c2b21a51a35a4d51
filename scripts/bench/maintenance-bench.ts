/**
 * `npm run bench:maintenance`: the nightly maintenance on a backlog of 1,000,000 security events older
 * than 90 days and 1,000,000 expired refresh tokens (200,000 of them in 100,000 sessions past their
 * grace, 800,000 rotated tokens of 40,000 live sessions), run with the default MAINTENANCE_CONFIG
 * through the Neon bridge, as the Cron Trigger would, until nothing is left. Prints rows per second
 * archived and deleted, the longest statement, the runs the backlog needed and how many it would need
 * within a daily Cron Trigger's limits; then what time partitions would have cost instead (detaching a
 * 1,000,000-row partition, and a single-row insert into a partitioned table against the plain one).
 * BENCH_EVENTS / BENCH_TOKENS scale the backlog down for a quick look.
 */
import pg from 'pg';
import { postgresUrl, stackProfile, workerBindings } from '../stack/profile.ts';
import { startStack } from '../stack/stack.ts';
import { loadJobs, type JobOutcome, type StepFigures } from '../maintenance/load-jobs.ts';
import { median } from './bridge-stats.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 1_000_000);
const EXPIRED_SESSIONS = Math.round(TOKENS / 10); // 2 tokens each: a fifth of the tokens
const LIVE_SESSIONS = Math.round(TOKENS / 25); // 20 rotated, expired tokens each: the rest
const INSERT_SAMPLES = 2000;
// The defaults (maintenance-config.ts): a run stops at 600 s or 5000 statements.
const BUDGET = { seconds: 600, statements: 5000 };

const profile = stackProfile('bench');
const stack = await startStack(profile, () => undefined);
const client = new pg.Client({ connectionString: postgresUrl(profile) });
await client.connect();

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  console.log(`  ${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

try {
  console.log(`Seeding ${EVENTS} old events (and ${EVENTS / 10} recent ones), ${TOKENS} expired tokens ...`);
  await timed('events', () =>
    client.query(
      `
    insert into security_events (event_type, severity, user_id, ip_address, user_agent, country, metadata, created_at)
    select (array['login_success', 'token_refreshed', 'failed_login_attempt'])[1 + g % 3], case when g % 3 = 2 then 'warning' else 'info' end,
           gen_random_uuid(), '198.51.100.' || (g % 250 + 1), 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0', 'NL',
           jsonb_build_object('route', 'POST /api/auth/login', 'i', g),
           now() - interval '91 days' - g * (interval '275 days' / $1)
      from generate_series(1, $1::int) g`,
      [EVENTS],
    ),
  );
  await timed('recent events', () =>
    client.query(
      `
    insert into security_events (event_type, severity, user_id, ip_address, metadata, created_at)
    select 'login_success', 'info', gen_random_uuid(), '203.0.113.' || (g % 250 + 1), '{}', now() - g * (interval '89 days' / $1)
      from generate_series(1, $1::int) g`,
      [EVENTS / 10],
    ),
  );
  await client.query(
    `insert into users (email, name) select 'bench-' || g || '@example.com', 'Bench' from generate_series(1, 1000) g`,
  );
  await timed('sessions', () =>
    client.query(
      `
    insert into sessions (user_id, created_at, last_used_at, expires_at, idle_expires_at)
    select (select id from users order by email limit 1 offset g % 1000), now() - interval '20 days', now() - interval '10 days',
           case when g <= $1 then now() - interval '2 days' - g * interval '1 second' else now() + interval '20 days' end,
           case when g <= $1 then now() - interval '2 days' - g * interval '1 second' else now() + interval '5 days' end
      from generate_series(1, $1::int + $2::int) g`,
      [EXPIRED_SESSIONS, LIVE_SESSIONS],
    ),
  );
  await timed('tokens', () =>
    client.query(`
    with numbered as (select id, row_number() over (order by idle_expires_at) as n, idle_expires_at < now() as expired from sessions)
    insert into refresh_tokens (token_hash, session_id, created_at, expires_at, rotated_at)
    select encode(sha256((s.id::text || ':' || k)::bytea), 'hex'), s.id, now() - interval '20 days',
           now() - interval '2 days' - k * interval '1 hour', now() - interval '9 days'
      from numbered s, generate_series(1, case when s.expired then 2 else 20 end) k`),
  );
  await client.query(`insert into refresh_tokens (token_hash, session_id, created_at, expires_at)
    select encode(sha256((id::text || ':live')::bytea), 'hex'), id, now(), now() + interval '5 days' from sessions where idle_expires_at > now()`);
  await timed('analyze', () => client.query('analyze'));
  const counts = (
    await client.query<{ events: string; tokens: string }>(`select
      (select count(*) from security_events where created_at < now() - interval '90 days') as events,
      (select count(*) from refresh_tokens where expires_at < now() - interval '1 day') as tokens`)
  ).rows[0]!;
  console.log(`  backlog: ${counts.events} events past 90 days, ${counts.tokens} tokens past their grace`);

  const jobs = await loadJobs();
  const bindings = workerBindings(profile);
  const runs: JobOutcome[] = [];
  for (let i = 0; i < 20; i++) {
    const outcome = await jobs.runMaintenanceOnce({
      databaseUrl: bindings.DATABASE_URL!,
      neonFetchEndpoint: bindings.NEON_FETCH_ENDPOINT,
      redisUrl: bindings.UPSTASH_REDIS_REST_URL!,
      redisToken: bindings.UPSTASH_REDIS_REST_TOKEN!,
      config: '{}',
      job: 'nightly-maintenance',
      dryRun: false,
      now: new Date(),
    });
    runs.push(outcome);
    console.log(`\nRun ${i + 1}:\n${jobs.formatReport(outcome)}`);
    if (outcome.status !== 'partial') break;
  }
  if (runs.at(-1)!.status !== 'succeeded') throw new Error(`the last run ended ${runs.at(-1)!.status}`);

  const steps = ['expiredSessions', 'expiredTokens', 'archiveEvents'];
  const total = (name: string) =>
    runs.reduce(
      (sum, r) => {
        const step = r.details.steps?.[name] as StepFigures | undefined;
        return {
          rows: sum.rows + (step?.rows ?? 0),
          ms: sum.ms + (step?.ms ?? 0),
          batches: sum.batches + (step?.batches ?? 0),
          longest: Math.max(sum.longest, step?.longestStatementMs ?? 0),
        };
      },
      { rows: 0, ms: 0, batches: 0, longest: 0 },
    );
  const longest = runs.reduce(
    (best, r) => ((r.details.longestStatement?.ms ?? 0) > best.ms ? r.details.longestStatement! : best),
    { ms: 0, name: '' },
  );
  const statements = runs.reduce((sum, r) => sum + (r.details.budget?.statements ?? 0), 0);
  const seconds = runs.reduce((sum, r) => sum + (r.details.budget?.elapsedMs ?? 0), 0) / 1000;

  console.log(
    `\nNightly maintenance on ${counts.events} old events and ${counts.tokens} expired tokens (default config)`,
  );
  console.log('| step | rows | batches | rows per second | longest statement (ms) |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const name of steps) {
    const t = total(name);
    console.log(
      `| ${name} | ${t.rows} | ${t.batches} | ${t.ms > 0 ? Math.round((t.rows / t.ms) * 1000) : '-'} | ${t.longest} |`,
    );
  }
  console.log(
    `\nLongest statement: ${longest.ms} ms (${longest.name}). Runs needed: ${runs.length} (${seconds.toFixed(1)} s and ${statements} statements in all).`,
  );
  // Within a daily Cron Trigger (the default budget), what one run can do at these rates:
  const perRun = (name: string) => {
    const t = total(name);
    const byTime = (t.rows / Math.max(t.ms, 1)) * BUDGET.seconds * 1000;
    const byStatements = (t.rows / Math.max(t.batches, 1)) * BUDGET.statements;
    return Math.floor(Math.min(byTime, byStatements));
  };
  for (const name of steps)
    console.log(
      `  ${name}: at most ~${perRun(name)} rows per run within ${BUDGET.seconds} s and ${BUDGET.statements} statements`,
    );

  console.log('\nTime partitions instead of an archive table (the same rows and indexes in both):');
  const indexes = (
    table: string,
  ) => `create index on ${table} (created_at desc, id desc); create index on ${table} (event_type, created_at desc);
    create index on ${table} (user_id, created_at desc); create index on ${table} (ip_address, created_at desc)`;
  await client.query(`create table bench_plain (like security_events_archive); ${indexes('bench_plain')}`);
  await client.query(`create table bench_part (like security_events_archive) partition by range (created_at);
    create table bench_part_old partition of bench_part for values from (minvalue) to (now() - interval '90 days');
    create table bench_part_new partition of bench_part for values from (now() - interval '90 days') to (maxvalue); ${indexes('bench_part')}`);
  await client.query('insert into bench_plain select * from security_events_archive');
  await timed(`moving ${EVENTS} events into a partitioned table (a one-off migration of the live table)`, () =>
    client.query('insert into bench_part select * from bench_plain'),
  );
  const samples: Record<string, number[]> = { bench_plain: [], bench_part: [] };
  for (let i = 0; i < INSERT_SAMPLES; i++) {
    for (const table of i % 2 ? ['bench_plain', 'bench_part'] : ['bench_part', 'bench_plain']) {
      const started = performance.now();
      await client.query(
        `insert into ${table} (id, event_type, severity, user_id, metadata, created_at) values ($1, 'login_success', 'info', gen_random_uuid(), '{}', now())`,
        [100_000_000 + i],
      );
      samples[table]!.push(performance.now() - started);
    }
  }
  console.log(
    `  single-row event insert, median of ${INSERT_SAMPLES} (interleaved): plain ${median(samples.bench_plain!).toFixed(3)} ms, partitioned ${median(samples.bench_part!).toFixed(3)} ms`,
  );
  const detach = performance.now();
  await client.query('alter table bench_part detach partition bench_part_old');
  console.log(`  detaching the partition of ${EVENTS} old rows: ${(performance.now() - detach).toFixed(1)} ms`);
  await client.query('drop table bench_plain, bench_part, bench_part_old');
} finally {
  await client.end();
  await stack.stop();
}
