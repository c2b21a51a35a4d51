/**
 * The batch loop over a stand-in for Postgres (a counter of rows left, and a statement timeout for
 * batches over a size): how it adapts, retries a cancelled batch smaller, and stops at the budget.
 */
import { describe, expect, it } from 'vitest';
import type { SQL } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import { runBatches, type StepContext } from './batched-step';
import { runBudget } from '../src/lib/maintenance/run-budget';
import type { StatementRunner } from '../src/lib/maintenance/statement-runner';

const cancelled = () => Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });

/** A table of `rows` rows; a batch over `timeoutAbove` rows is cancelled, as Postgres would at its statement timeout. */
function table(rows: number, timeoutAbove = Infinity, statements = 1000) {
  const sizes: number[] = [];
  let left = rows;
  let now = 0;
  const clock = () => new Date(now);
  const budget = runBudget({ seconds: 600, statements }, clock);
  const runner: StatementRunner = {
    longest: { ms: 0, name: '' },
    async rows<T extends Record<string, unknown>>(_name: string, query: SQL) {
      budget.count();
      const limit = Number((query as unknown as { limit: number }).limit);
      sizes.push(limit);
      now += 10;
      if (limit > timeoutAbove) throw cancelled();
      const done = Math.min(limit, left);
      left -= done;
      return [{ n: done }] as unknown as T[];
    },
  };
  const batch = (limit: number) => Object.assign(sql`select 1`, { limit });
  const ctx = (overrides: Partial<StepContext> = {}): StepContext => ({
    runner,
    budget,
    clock,
    batches: { initialRows: 100, minRows: 10, maxRows: 1000, targetStatementMs: 2000 },
    ...overrides,
  });
  return { ctx, batch, sizes, left: () => left };
}

describe('runBatches', () => {
  it('grows fast batches up to the maximum and ends on a short one', async () => {
    const t = table(3000);
    const report = await runBatches(t.ctx(), 'test', t.batch);
    expect(t.sizes).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(report).toMatchObject({ rows: 3000, batches: 6, complete: true });
    expect(t.left()).toBe(0);
  });

  it('retries a batch cancelled at the statement timeout at half the size', async () => {
    const t = table(500, 60);
    const report = await runBatches(t.ctx(), 'test', t.batch);
    expect(t.sizes.slice(0, 3)).toEqual([100, 50, 100]);
    expect(report.timeouts).toBeGreaterThan(0);
    expect(report).toMatchObject({ rows: 500, complete: true });
  });

  it('fails when even the smallest batch is cancelled', async () => {
    const t = table(500, 5);
    await expect(runBatches(t.ctx(), 'test', t.batch)).rejects.toMatchObject({ code: '57014' });
    expect(t.sizes).toEqual([100, 50, 25, 12, 10]);
  });

  it('stops before the next batch once the budget is spent, incomplete', async () => {
    const t = table(100_000, Infinity, 3);
    const report = await runBatches(t.ctx(), 'test', t.batch);
    expect(report).toMatchObject({ rows: 700, batches: 3, complete: false });
  });
});
