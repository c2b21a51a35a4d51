/**
 * Migration 0003 (sessions as rows of their own) on a database that has live, rotated, revoked and
 * expired token families: every session that was usable stays usable through the real session code,
 * and every session that was over stays over. Runs in Node against the test stack's PostgreSQL, in a
 * database of its own, with drizzle-kit's migrator applying the migrations up to 0002 first.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../src/lib/storage/schema';
import type { Database } from '../../src/lib/storage/database';
import { listActiveSessions, rotateRefreshToken } from '../../src/lib/sessions/session-store';
import { loadCallerState } from '../../src/lib/sessions/caller-state';
import { repoRoot } from '../../scripts/stack/profile.ts';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database';

const DAY = 86_400_000;
const now = new Date();
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
const hash = (label: string) => label.padEnd(64, '0');
const client = {
  ip: '203.0.113.9',
  userAgent: 'Firefox/132',
  country: 'DE',
  city: 'Berlin',
  latitude: 52.5,
  longitude: 13.4,
  asn: 3320,
  colo: 'FRA',
  fingerprint: 'fp-laptop',
};

let scratch: ScratchDatabase;
let conn: pg.Client;
let db: Database;
let folder: string;

/** A copy of drizzle/ whose journal stops after `lastTag`: the database as it was before that point. */
async function migrationsUpTo(lastTag: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
  await cp(join(repoRoot, 'drizzle'), dir, { recursive: true });
  const journal = JSON.parse(await readFile(join(dir, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  };
  journal.entries = journal.entries.slice(0, journal.entries.findIndex((e) => e.tag === lastTag) + 1);
  await writeFile(join(dir, 'meta', '_journal.json'), JSON.stringify(journal));
  return dir;
}

interface OldToken {
  hash: string;
  session: string;
  parent?: string;
  created: Date;
  expires: Date;
  rotated?: Date;
  revoked?: Date;
  reason?: string;
  device?: string;
  country?: string;
  lastUsed?: Date;
}

let userId: string;
const sessions = {
  live: crypto.randomUUID(),
  loggedOut: crypto.randomUUID(),
  revokedWithLiveChild: crypto.randomUUID(),
  expired: crypto.randomUUID(),
};

async function insertOld(t: OldToken): Promise<string> {
  const { rows } = await conn.query<{ id: string }>(
    `insert into refresh_tokens (token_hash, session_id, user_id, parent_id, device_name, device_fingerprint, country,
       session_created_at, session_expires_at, created_at, last_used_at, expires_at, rotated_at, revoked_at, revoked_reason)
     values ($1, $2, $3, $4, $5, 'fp-laptop', $6, $7, $8, $9, $10, $11, $12, $13, $14) returning id`,
    [
      t.hash,
      t.session,
      userId,
      t.parent ?? null,
      t.device ?? 'laptop',
      t.country ?? 'DE',
      at(-10 * DAY),
      at(20 * DAY),
      t.created,
      t.lastUsed ?? t.created,
      t.expires,
      t.rotated ?? null,
      t.revoked ?? null,
      t.reason ?? null,
    ],
  );
  return rows[0]!.id;
}

beforeAll(async () => {
  scratch = await createScratchDatabase('migration');
  conn = scratch.conn;
  folder = await migrationsUpTo('0002_users_email_verified');
  await migrate(drizzle(conn), { migrationsFolder: folder });

  const { rows } = await conn.query<{ id: string }>(
    `insert into users (email, name) values ('old@example.com', 'Old') returning id`,
  );
  userId = rows[0]!.id;
  // Live: rotated twice, the newest token from the phone in Austin.
  const a0 = await insertOld({
    hash: hash('a0'),
    session: sessions.live,
    created: at(-10 * DAY),
    expires: at(-3 * DAY),
    rotated: at(-9 * DAY),
  });
  const a1 = await insertOld({
    hash: hash('a1'),
    session: sessions.live,
    parent: a0,
    created: at(-9 * DAY),
    expires: at(-2 * DAY),
    rotated: at(-DAY),
  });
  await insertOld({
    hash: hash('a2'),
    session: sessions.live,
    parent: a1,
    created: at(-DAY),
    expires: at(6 * DAY),
    country: 'US',
    device: 'phone',
    lastUsed: at(-3_600_000),
  });
  // Logged out: every token revoked.
  await insertOld({
    hash: hash('b0'),
    session: sessions.loggedOut,
    created: at(-2 * DAY),
    expires: at(5 * DAY),
    revoked: at(-DAY),
    reason: 'logout',
  });
  // Revoked by reuse while a rotation committed a live child the revocation never saw.
  const c0 = await insertOld({
    hash: hash('c0'),
    session: sessions.revokedWithLiveChild,
    created: at(-2 * DAY),
    expires: at(5 * DAY),
    rotated: at(-DAY),
    revoked: at(-DAY),
    reason: 'refresh_token_reuse',
  });
  await insertOld({
    hash: hash('c1'),
    session: sessions.revokedWithLiveChild,
    parent: c0,
    created: at(-DAY),
    expires: at(6 * DAY),
  });
  // Expired: its only token ran out yesterday.
  await insertOld({ hash: hash('d0'), session: sessions.expired, created: at(-8 * DAY), expires: at(-DAY) });

  await migrate(drizzle(conn), { migrationsFolder: join(repoRoot, 'drizzle') });
  db = drizzle(conn, { schema }) as unknown as Database;
});

afterAll(async () => {
  await scratch?.drop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

const sessionRow = async (id: string) =>
  (await conn.query('select * from sessions where id = $1', [id])).rows[0] as Record<string, unknown>;

describe('migration 0003: sessions as rows of their own', () => {
  it('makes one session row per token family, described by its newest token, and keeps every token', async () => {
    expect((await conn.query('select count(*)::int as n from sessions')).rows[0].n).toBe(4);
    expect((await conn.query('select count(*)::int as n from refresh_tokens')).rows[0].n).toBe(7);
    const live = await sessionRow(sessions.live);
    expect(live).toMatchObject({
      user_id: userId,
      device_name: 'phone',
      country: 'US',
      device_fingerprint: 'fp-laptop',
      revoked_at: null,
    });
    expect((live.created_at as Date).getTime()).toBe(at(-10 * DAY).getTime());
    expect((live.expires_at as Date).getTime()).toBe(at(20 * DAY).getTime());
    expect((live.idle_expires_at as Date).getTime()).toBe(at(6 * DAY).getTime());
    expect((live.last_used_at as Date).getTime()).toBe(at(-3_600_000).getTime());
  });

  it('keeps every revoked session revoked, with its first reason, a later live child included', async () => {
    expect(await sessionRow(sessions.loggedOut)).toMatchObject({ revoked_reason: 'logout' });
    const reused = await sessionRow(sessions.revokedWithLiveChild);
    expect(reused).toMatchObject({ revoked_reason: 'refresh_token_reuse' });
    expect((reused.revoked_at as Date).getTime()).toBe(at(-DAY).getTime());
    expect((await sessionRow(sessions.expired)).revoked_at).toBeNull();
  });

  it('leaves the live session usable by the session code: the Bearer check, the list and a rotation', async () => {
    expect((await loadCallerState(db, userId, sessions.live))?.sessionLive).toBe(true);
    expect((await listActiveSessions(db, userId, now)).map((s) => s.id)).toEqual([sessions.live]);
    const rotation = await rotateRefreshToken(db, {
      presentedHash: hash('a2'),
      newHash: hash('a3'),
      client,
      now,
      newExpiresAt: at(7 * DAY),
      reuseIntervalSeconds: 30,
      refreshCountWindowSeconds: 600,
    });
    expect(rotation).toMatchObject({
      sessionId: sessions.live,
      issuedNewToken: true,
      previousCountry: 'US',
      sessionRevoked: false,
    });
    expect(rotation?.sessionExpiresAt.getTime()).toBe(at(20 * DAY).getTime());
  });

  it('refuses every token of a session that was over, and its access tokens', async () => {
    for (const session of [sessions.loggedOut, sessions.revokedWithLiveChild]) {
      expect((await loadCallerState(db, userId, session))?.sessionLive).toBe(false);
    }
    const child = await rotateRefreshToken(db, {
      presentedHash: hash('c1'),
      newHash: hash('c2'),
      client,
      now,
      newExpiresAt: at(7 * DAY),
      reuseIntervalSeconds: 30,
      refreshCountWindowSeconds: 600,
    });
    expect(child).toMatchObject({ issuedNewToken: false, sessionRevoked: true });
    const expired = await rotateRefreshToken(db, {
      presentedHash: hash('d0'),
      newHash: hash('d1'),
      client,
      now,
      newExpiresAt: at(7 * DAY),
      reuseIntervalSeconds: 30,
      refreshCountWindowSeconds: 600,
    });
    expect(expired).toMatchObject({ issuedNewToken: false });
    expect(expired?.expiresAt.getTime()).toBeLessThan(now.getTime());
  });
});
