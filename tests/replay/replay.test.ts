/**
 * The replay (issue 13), played inside workerd against the auth Worker with `request.cf` set per
 * request: a seeded scenario of ordinary users and attack episodes (scripts/replay/scenario.ts),
 * scored as attacks flagged before their first success, attacks stopped, and ordinary users refused
 * or flagged (scripts/replay/score.ts). CI plays the small version (60 s, 30 users, 9 episodes);
 * `npm run replay` plays the issue's ten minutes (REPLAY=full).
 */
import { env } from 'cloudflare:workers';
import { gte } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { api, type Tokens } from '../auth/api';
import { securityEvents } from '../../src/lib/storage/schema';
import { db, sleep } from '../support';
import { FULL, MEDIUM, SMALL, generate, type Account, type Origin, type Step } from '../../scripts/replay/scenario.ts';
import { report, score, type Outcome, type RecordedEvent } from '../../scripts/replay/score.ts';

const size = (env as unknown as { REPLAY?: string }).REPLAY ?? 'small';
const full = size !== 'small';
const SEED = 13;

const send = (path: string, origin: Origin, r: { body?: unknown; token?: string } = {}) =>
  api<Tokens>(path, {
    ...r,
    ip: origin.ip,
    headers: { 'user-agent': origin.userAgent },
    cf: { ...origin.cf },
  });

/** The tokens each account holds now (its owner's, which a thief copies). */
type Wallet = Map<string, { access: string; refresh: string }>;

async function signUpAll(accounts: Account[], wallet: Wallet, userIds: Map<string, string>): Promise<void> {
  for (const a of accounts) {
    const res = await send('/api/auth/signup', a.home, {
      body: { email: a.email, password: a.password, name: 'Replay' },
    });
    if (res.status !== 201) throw new Error(`setup signup ${res.status} ${JSON.stringify(res.body)}`);
    wallet.set(a.email, { access: res.body.accessToken, refresh: res.body.refreshToken });
    userIds.set(a.email, res.body.user.id);
  }
}

/** Plays one actor's steps in order, each at its time; a thief's steps use the victim's tokens. */
async function play(
  actor: string,
  steps: Step[],
  t0: number,
  own: { email?: string },
  wallet: Wallet,
  outcomes: Outcome[],
): Promise<void> {
  let mine: { access: string; refresh: string } | undefined;
  for (const step of steps) {
    const wait = t0 + step.at - Date.now();
    if (wait > 0) await sleep(wait);
    const at = Date.now();
    const tokens = step.kind === 'login' ? undefined : step.stolenFrom ? wallet.get(step.stolenFrom) : mine;
    if (step.kind !== 'login' && !tokens) {
      outcomes.push({ actor, step, status: 'skipped', at });
      continue;
    }
    const res =
      step.kind === 'login'
        ? await send('/api/auth/login', step.origin, { body: { email: step.email, password: step.password } })
        : step.kind === 'refresh'
          ? await send('/api/auth/refresh', step.origin, { body: { refreshToken: tokens!.refresh } })
          : await send('/api/auth/me', step.origin, { token: tokens!.access });
    outcomes.push({ actor, step, status: res.status, at });
    if (res.status === 200 && step.kind !== 'me') {
      const fresh = { access: res.body.accessToken, refresh: res.body.refreshToken };
      const thief = step.kind === 'login' ? undefined : step.stolenFrom;
      if (thief) wallet.set(thief, fresh);
      else mine = fresh;
      if (own.email && step.kind === 'login') wallet.set(own.email, fresh);
    }
  }
}

describe('replay of ordinary traffic and attacks', () => {
  it(
    `scores detection, stopping and harm to ordinary users (${full ? `${size}: 10 min` : 'small: 60 s'})`,
    { timeout: full ? 1_800_000 : 600_000 },
    async () => {
      const scenario = generate(
        SEED,
        size === 'full' ? FULL : size === 'medium' ? MEDIUM : SMALL,
        Date.now() % 100_000,
      );
      const wallet: Wallet = new Map();
      const userIds = new Map<string, string>();
      await signUpAll(
        [...scenario.benign.map((b) => b.account), ...scenario.attacks.flatMap((a) => a.victims)],
        wallet,
        userIds,
      );

      const t0 = Date.now() + 1_000;
      const outcomes: Outcome[] = [];
      await Promise.all([
        ...scenario.benign.map((b) => play(b.id, b.steps, t0, { email: b.account.email }, wallet, outcomes)),
        ...scenario.attacks.map((a) => play(`${a.id}:owner`, a.ownerSteps, t0, {}, wallet, outcomes)),
        ...scenario.attacks.map((a) => play(a.id, a.steps, t0, {}, wallet, outcomes)),
      ]);
      await sleep(1_500); // the last requests' events are written after their answers

      const rows = await db
        .select({
          type: securityEvents.eventType,
          userId: securityEvents.userId,
          ip: securityEvents.ipAddress,
          at: securityEvents.createdAt,
        })
        .from(securityEvents)
        .where(gte(securityEvents.createdAt, new Date(t0 - 1_000)));
      const events: RecordedEvent[] = rows.map((r) => ({ ...r, at: r.at.getTime() }));
      const result = score(scenario, outcomes, events, userIds);
      console.log(`\nreplay (seed ${SEED}, ${size}):\n${report(result)}\n`);

      expect(result.attacks).toBe(scenario.attacks.length);
      expect(result.benignUsers).toBe(scenario.benign.length);
      if (!full) {
        // The small version guards the gross shape: most attacks stopped and flagged, ordinary users left alone.
        expect(result.stopped).toBeGreaterThanOrEqual(7);
        expect(result.flaggedBeforeSuccess).toBeGreaterThanOrEqual(7);
        expect(result.benignAffected).toBeLessThanOrEqual(1);
      }
    },
  );
});
