import { describe, expect, it } from 'vitest';
import { passwordSlots, SlotsFull } from './password-slots';

const settings = { capacity: 2, maxWaiting: 3, leaseMs: 10_000, recheckMs: 50 };

/** Work that the test finishes by hand, recording when it started. */
function manual(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return {
    work: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
    finish,
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('passwordSlots', () => {
  it('runs at most `capacity` at once; a waiter starts once one ends', async () => {
    const hold = passwordSlots(() => new Date(), settings);
    const log: string[] = [];
    const jobs = ['a', 'b', 'c', 'd'].map((n) => manual(log, n));
    const results = jobs.map((j) => hold(j.work));
    await tick();
    expect(log).toEqual(['start a', 'start b']);
    jobs[1]!.finish();
    await new Promise((r) => setTimeout(r, 80)); // a waiter looks again on its own timer
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    jobs[0]!.finish();
    jobs[2]!.finish();
    jobs[3]!.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses at once past maxWaiting', async () => {
    const hold = passwordSlots(() => new Date(), settings);
    const log: string[] = [];
    const jobs = ['a', 'b', 'c', 'd', 'e'].map((n) => manual(log, n));
    const running = jobs.map((j) => hold(j.work));
    await expect(hold(async () => 'f')).rejects.toBeInstanceOf(SlotsFull);
    for (const j of jobs) j.finish();
    expect(await Promise.all(running)).toHaveLength(5);
  });

  it('frees a slot whose holder never came back once its lease lapses', async () => {
    let clock = 0;
    const hold = passwordSlots(() => new Date(clock), settings);
    const abandoned = [hold(() => new Promise(() => undefined)), hold(() => new Promise(() => undefined))];
    void abandoned;
    const log: string[] = [];
    const late = manual(log, 'late');
    const result = hold(late.work);
    await new Promise((r) => setTimeout(r, 80));
    expect(log).toEqual([]); // both slots still leased
    clock = 10_001;
    await new Promise((r) => setTimeout(r, 80)); // its own recheck finds the lapsed leases
    expect(log).toEqual(['start late']);
    late.finish();
    expect(await result).toBe('late');
  });
});
