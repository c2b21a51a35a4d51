/**
 * A second stack of a profile whose stack is running is refused, and the running one is left alone.
 * startStack ends a profile's leftover Redis and Postgres (a killed run's) before it starts its own;
 * it must not take a live stack's for leftovers, as it once did when two benchmarks shared a profile.
 *
 * Runs on this run's base port + 5 (its ports stay inside the run's block of 100, clear of the
 * suite's stack at + 0 and daemon-restart.test.ts's at + 10).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUrl, stackProfile } from '../../scripts/stack/profile.ts';
import { startStack, type RunningStack } from '../../scripts/stack/stack.ts';
import { postgresAnswers, redisAnswers } from '../../scripts/stack/probes.ts';

process.env.STACK_TEST_BASE_PORT = String(Number(process.env.STACK_TEST_BASE_PORT ?? 25_400) + 5);
const profile = stackProfile('test');
let first: RunningStack | undefined;

describe('a second stack of one profile', () => {
  beforeAll(async () => {
    first = await startStack(profile, () => undefined);
  }, 120_000);
  afterAll(async () => {
    await first?.stop();
  });

  it('is refused while the first runs, and the first keeps its Redis and Postgres', async () => {
    await expect(startStack(profile, () => undefined)).rejects.toThrow(
      `a test stack is running (its control server answers on :${profile.controlPort})`,
    );
    expect(await redisAnswers(profile.redisPort)).toBe(true);
    expect(await postgresAnswers(postgresUrl(profile))).toBe(true);
  });
});
