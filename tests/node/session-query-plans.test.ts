/**
 * Every session query the routes, the cron and the dashboard run is served by an index, on a table
 * big enough that the planner has a choice: thousands of sessions across users, in the proportions a
 * running service keeps (live, revoked within retention, expired within grace, and the few that
 * tonight's cleanup deletes), each with its rotated tokens. The statements are the code's own,
 * recorded by drizzle's logger as the real functions run (each inside a transaction rolled back, so
 * the data stays as seeded), then planned with EXPLAIN (FORMAT JSON). docs/storage.md lists the result.
 */
import { join } from 'node:path';
import type pg from 'pg';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../src/lib/storage/schema';
import type { Database } from '../../src/lib/storage/database';
import {
  listActiveSessions,
  revokeAllSessions,
  revokeSession,
  revokeSessionOfToken,
  rotateRefreshToken,
} from '../../src/lib/sessions/session-store';
import { loadCallerState } from '../../src/lib/sessions/caller-state';
import { liveSessionAt } from '../../src/lib/sessions/live-session';
import { linkGoogleIdentity } from '../../src/lib/accounts/google-link-store';
import { SESSION_TARGETS } from '../../cron/cleanup-sessions';
import { cutoffOf, deleteBatch } from '../../cron/retention';
import { DEFAULT_MAINTENANCE_CONFIG } from '../../src/lib/maintenance/maintenance-config';
import { repoRoot } from '../../scripts/stack/profile.ts';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database';

const USERS = 1000;
const SESSION_TABLES = ['users', 'sessions', 'refresh_tokens'];
const SESSIONS_PER_USER = 6;
const TOKENS_PER_SESSION = 4;
const now = new Date();
const client = {
  ip: '203.0.113.9',
  userAgent: 'Firefox/132',
  country: 'DE',
  city: 'Berlin',
  latitude: 52.5,
  longitude: 13.4,
  asn: 3320,
  colo: 'FRA',
  fingerprint: 'fp-0',
};

let scratch: ScratchDatabase;
let conn: pg.Client;
let db: Database;
const recorded: Array<{ query: string; params: unknown[] }> = [];
/** A user with live sessions, one of them, and that session's current refresh-token hash. */
let target: { userId: string; sessionId: string; tokenHash: string };

/**
 * Session n's kind, by n % 100: 50 live, 40 revoked within the 30-day retention, 6 expired within the
 * 1-day grace, 2 revoked past retention, 2 expired past grace (the last two: what cleanup deletes).
 */
const seed = `
  insert into users (email, name) select 'user' || u || '@example.com', 'User ' || u from generate_series(1, ${USERS}) u;
  with numbered as (select id, row_number() over (order by email) - 1 as u from users),
  kinds as (
    select n.id as user_id, n.u * ${SESSIONS_PER_USER} + k as s,
           case when (n.u * ${SESSIONS_PER_USER} + k) % 100 < 50 then 'live'
                when (n.u * ${SESSIONS_PER_USER} + k) % 100 < 90 then 'revoked'
                when (n.u * ${SESSIONS_PER_USER} + k) % 100 < 96 then 'in_grace'
                when (n.u * ${SESSIONS_PER_USER} + k) % 100 < 98 then 'revoked_old'
                else 'expired_old' end as kind
      from numbered n cross join generate_series(0, ${SESSIONS_PER_USER - 1}) k
  ), shaped as (
    select user_id, s, kind,
           -- Spread over time, as real use is: each kind's last use, hence its idle expiry 7 days later.
           now() - case kind when 'live' then (s % 144) * interval '1 hour'
                             when 'revoked' then (s % 29 + 1) * interval '1 day'
                             when 'in_grace' then interval '7 days' + (s % 20 + 1) * interval '1 hour'
                             when 'revoked_old' then (31 + s % 20) * interval '1 day'
                             else interval '8 days' + (s % 20 + 1) * interval '1 hour' end as last_used
      from kinds
  )
  insert into sessions (id, user_id, device_name, device_fingerprint, created_at, last_used_at, expires_at, idle_expires_at, revoked_at, revoked_reason)
  select md5('session' || s)::uuid, user_id, 'device ' || s, 'fp-' || s, last_used - interval '3 days', last_used,
         last_used + interval '27 days', last_used + interval '7 days',
         case when kind in ('revoked', 'revoked_old') then last_used + interval '1 hour' end,
         case when kind in ('revoked', 'revoked_old') then 'logout' end
    from shaped;
  insert into refresh_tokens (token_hash, session_id, created_at, expires_at, rotated_at, revoked_at)
  select md5('token' || s.id || j) || md5('hash' || s.id || j), s.id, t.created, t.created + interval '7 days',
         case when j < ${TOKENS_PER_SESSION - 1} then t.created + interval '1 hour' end, s.revoked_at
    from sessions s cross join generate_series(0, ${TOKENS_PER_SESSION - 1}) j
    cross join lateral (select s.last_used_at - (${TOKENS_PER_SESSION - 1} - j) * interval '1 hour' as created) t;`;

beforeAll(async () => {
  scratch = await createScratchDatabase('plans');
  conn = scratch.conn;
  await migrate(drizzle(conn), { migrationsFolder: join(repoRoot, 'drizzle') });
  await conn.query(seed);
  // Statistics and the visibility map, as autovacuum keeps them on a running database (one statement
  // each: VACUUM cannot share a multi-statement query, which runs as one transaction).
  for (const table of SESSION_TABLES) await conn.query(`vacuum analyze ${table}`);
  const logger = {
    logQuery: (query: string, params: unknown[]) => {
      recorded.push({ query, params });
    },
  };
  db = drizzle(conn, { schema, logger }) as unknown as Database;
  const { rows } = await conn.query<{ user_id: string; id: string; token_hash: string }>(`
    select s.user_id, s.id, t.token_hash from sessions s join refresh_tokens t on t.session_id = s.id and t.rotated_at is null
     where s.revoked_at is null and s.idle_expires_at > now() order by s.id limit 1`);
  target = { userId: rows[0]!.user_id, sessionId: rows[0]!.id, tokenHash: rows[0]!.token_hash };
});

afterAll(async () => {
  await scratch?.drop();
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Alias?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const INDEX_SCANS = ['Index Scan', 'Index Only Scan', 'Bitmap Index Scan'];

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

/** The plans of the statements `run` sends (run inside a transaction that is rolled back). */
async function plansOf(run: () => Promise<unknown>): Promise<PlanNode[][]> {
  recorded.length = 0;
  await conn.query('begin');
  try {
    await run();
  } finally {
    await conn.query('rollback');
  }
  const statements = [...recorded];
  expect(statements.length).toBeGreaterThan(0);
  const plans = [];
  for (const { query, params } of statements) {
    const { rows } = await conn.query(`explain (format json) ${query}`, params);
    plans.push(nodesOf((rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan));
    // PLANS_VERBOSE=1 prints each plan as text (what docs/storage.md summarises).
    if (process.env.PLANS_VERBOSE) {
      const text = await conn.query(`explain ${query}`, params);
      console.log(
        `${query.replace(/\s+/g, ' ').slice(0, 100)}\n${text.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')}`,
      );
    }
  }
  return plans;
}

/** Every statement plans no sequential scan of a session table, and together they use each expected index. */
function expectIndexed(plans: PlanNode[][], indexes: string[]) {
  const nodes = plans.flat();
  const seqScans = nodes.filter(
    (n) => n['Node Type'] === 'Seq Scan' && SESSION_TABLES.includes(n['Relation Name'] ?? ''),
  );
  expect(seqScans.map((n) => n['Relation Name'])).toEqual([]);
  const used = nodes.filter((n) => INDEX_SCANS.includes(n['Node Type'])).map((n) => n['Index Name']);
  for (const index of indexes) expect(used, `expected an index scan on ${index}`).toContain(index);
}

describe('session queries on a seeded database: each served by an index', () => {
  it('seeds enough rows for the planner to choose', async () => {
    const { rows } = await conn.query(`
      select (select count(*) from refresh_tokens)::int as tokens, count(*)::int as sessions,
             (count(*) filter (where revoked_at is null and idle_expires_at > now()))::int as live,
             (count(*) filter (where (revoked_at is null and idle_expires_at < now() - interval '1 day')
                                  or revoked_at < now() - interval '30 days'))::int as for_cleanup
        from sessions`);
    const sessions = USERS * SESSIONS_PER_USER;
    expect(rows[0]).toEqual({
      sessions,
      tokens: sessions * TOKENS_PER_SESSION,
      live: sessions / 2,
      for_cleanup: sessions * 0.04,
    });
  });

  it('Bearer check (caller-state): the user and the session by primary key, in one statement', async () => {
    const plans = await plansOf(() => loadCallerState(db, target.userId, target.sessionId));
    expect(plans).toHaveLength(1);
    expectIndexed(plans, ['users_pkey', 'sessions_pkey']);
  });

  it("session list (listActiveSessions): the user's live sessions", async () => {
    expectIndexed(await plansOf(() => listActiveSessions(db, target.userId, now)), ['sessions_user_live_idx']);
  });

  it("logout-all (revokeAllSessions): the user's unrevoked sessions, then their tokens, in one statement", async () => {
    const plans = await plansOf(() => revokeAllSessions(db, target.userId, 'logout_all', now));
    expect(plans).toHaveLength(1);
    expectIndexed(plans, ['sessions_user_live_idx', 'refresh_tokens_session_idx']);
  });

  it('one session ended (DELETE /api/auth/sessions/:id): by primary key, then its tokens', async () => {
    expectIndexed(await plansOf(() => revokeSession(db, target.sessionId, 'user_revoked', now, target.userId)), [
      'sessions_pkey',
      'refresh_tokens_session_idx',
    ]);
  });

  it('logout (revokeSessionOfToken): the token by hash, then its session', async () => {
    expectIndexed(await plansOf(() => revokeSessionOfToken(db, target.tokenHash, now)), [
      'refresh_tokens_token_hash_idx',
      'sessions_pkey',
      'refresh_tokens_session_idx',
    ]);
  });

  it('rotation (rotateRefreshToken): the token by hash, its session and user by primary key', async () => {
    const plans = await plansOf(() =>
      rotateRefreshToken(db, {
        presentedHash: target.tokenHash,
        newHash: 'f'.repeat(64),
        client,
        now,
        newExpiresAt: new Date(now.getTime() + 7 * 86_400_000),
        reuseIntervalSeconds: 10,
        refreshCountWindowSeconds: 600,
      }),
    );
    expect(plans).toHaveLength(1);
    expectIndexed(plans, ['refresh_tokens_token_hash_idx', 'sessions_pkey', 'users_pkey', 'refresh_tokens_pkey']);
  });

  it('Google link (linkGoogleIdentity): the account by primary key and its unrevoked sessions', async () => {
    expectIndexed(await plansOf(() => linkGoogleIdentity(db, target.userId, 'google-subject-1', now)), [
      'users_pkey',
      'sessions_user_live_idx',
    ]);
  });

  it("live sessions overall (the dashboard's activeSessions metric)", async () => {
    const metric = sql`select count(*)::int as n from sessions where ${liveSessionAt(now)}`;
    expectIndexed(await plansOf(() => db.execute(metric)), ['sessions_live_idx']);
  });

  it('cleanup: each retention batch (expired sessions, revoked sessions, expired tokens) on its own index', async () => {
    const { retention, batches } = DEFAULT_MAINTENANCE_CONFIG;
    const choiceOf = async (name: string) => {
      const target = SESSION_TARGETS.find((t) => t.name === name)!;
      const [plan] = await plansOf(() =>
        db.execute(deleteBatch(target, cutoffOf(target, retention, now), batches.minRows)),
      );
      // Only the choice of the batch's rows must use the index: joining the chosen keys back to the
      // table (alias t) is the planner's call by table size (on 6,000 rows a hash join over a Seq Scan).
      return [plan!.filter((n) => n.Alias !== 't')];
    };
    expectIndexed(await choiceOf('expiredSessions'), ['sessions_live_idx']);
    expectIndexed(await choiceOf('revokedSessions'), ['sessions_revoked_idx']);
    expectIndexed(await choiceOf('expiredTokens'), ['refresh_tokens_expires_idx']);
  });

  it("cleanup's cascade: the tokens of a deleted session, as the foreign key's trigger deletes them", async () => {
    // ON DELETE CASCADE runs this statement per deleted session (its text as Postgres's RI trigger builds it).
    const cascade = sql`delete from only refresh_tokens where ${target.sessionId}::uuid operator(pg_catalog.=) session_id`;
    expectIndexed(await plansOf(() => db.execute(cascade)), ['refresh_tokens_session_idx']);
  });
});
