/** The replay's generator and scoring, without a Worker: same seed, same traffic; the figures' rules. */
import { describe, expect, it } from 'vitest';
import { ATTACK_KINDS, FULL, SMALL, generate, type AttackEpisode, type BenignActor } from './scenario.ts';
import { scoreBenign, scoreEpisode, type Outcome } from './score.ts';

describe('generate', () => {
  it('is deterministic for a seed and sized as the issue says', () => {
    expect(JSON.stringify(generate(13, SMALL, 1))).toBe(JSON.stringify(generate(13, SMALL, 1)));
    const full = generate(13, FULL, 1);
    expect(full.benign).toHaveLength(220);
    expect(full.attacks).toHaveLength(92);
    expect(new Set(full.attacks.map((a) => a.kind))).toEqual(new Set(ATTACK_KINDS));
  });

  it('puts the office behind one address and moves phones 16-22 km with their carrier', () => {
    const s = generate(7, FULL, 2);
    const office = s.benign.filter((b) => b.group === 'office');
    expect(new Set(office.map((b) => b.account.home.ip)).size).toBe(1);
    for (const phone of s.benign.filter((b) => b.group === 'mobile')) {
      for (const step of phone.steps.filter((st) => st.kind === 'login')) {
        expect(step.origin.cf.asn).toBe(phone.account.home.cf.asn);
        const dLat = (step.origin.cf.latitude - phone.account.home.cf.latitude) * 111;
        const dLon =
          (step.origin.cf.longitude - phone.account.home.cf.longitude) *
          111 *
          Math.cos((phone.account.home.cf.latitude * Math.PI) / 180);
        const km = Math.hypot(dLat, dLon);
        expect(km).toBeGreaterThan(15);
        expect(km).toBeLessThan(23);
      }
    }
  });
});

describe('scoring', () => {
  const s = generate(3, SMALL, 3);
  const episode = s.attacks.find((a) => a.kind === 'brute_force') as AttackEpisode;
  const victim = episode.victims[0]!;
  const ids = new Map([[victim.email, 'victim-id']]);
  const step = episode.steps.find((st) => st.kind === 'login' && st.password === victim.password)!;

  it('an alert raised by the successful request itself is not "before" it', () => {
    const guess = episode.steps[0]!;
    const outcomes: Outcome[] = [
      { actor: episode.id, step: guess, status: 401, at: 500 },
      { actor: episode.id, step, status: 200, at: 1_000 },
    ];
    const same = [{ type: 'account_takeover_attempt', userId: 'victim-id', ip: null, at: 1_000 }];
    expect(scoreEpisode(episode, outcomes, same, ids)).toMatchObject({ succeeded: true, flaggedBeforeSuccess: false });
    const earlier = [{ type: 'brute_force_detected', userId: null, ip: step.origin.ip, at: 999 }];
    expect(scoreEpisode(episode, outcomes, earlier, ids).flaggedBeforeSuccess).toBe(true);
  });

  it('an attack that never got in is stopped, and flagged by any detection of it', () => {
    const outcomes: Outcome[] = [{ actor: episode.id, step, status: 401, at: 1_000 }];
    const events = [{ type: 'credential_stuffing_detected', userId: null, ip: step.origin.ip, at: 1_200 }];
    expect(scoreEpisode(episode, outcomes, events, ids)).toMatchObject({
      succeeded: false,
      flaggedBeforeSuccess: true,
    });
  });

  it("a user's own typo is no harm; a refused right password or a 429 is", () => {
    const user = s.benign[0] as BenignActor;
    const login = (password: string, status: number): Outcome => ({
      actor: user.id,
      step: { at: 0, kind: 'login', email: user.account.email, password, origin: user.account.home },
      status,
      at: 1,
    });
    expect(scoreBenign(user, [login('typo', 401)], [], new Map()).refused).toBe(false);
    expect(scoreBenign(user, [login(user.account.password, 401)], [], new Map()).refused).toBe(true);
    expect(scoreBenign(user, [login('typo', 429)], [], new Map()).refused).toBe(true);
  });
});
