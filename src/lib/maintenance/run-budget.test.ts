import { describe, expect, it } from 'vitest';
import { runBudget } from './run-budget';

describe('runBudget', () => {
  it('is spent when the time is up', () => {
    let now = 1_000_000;
    const budget = runBudget({ seconds: 10, statements: 100 }, () => new Date(now));
    expect(budget.spent()).toBe(false);
    now += 9_999;
    expect(budget.spent()).toBe(false);
    now += 1;
    expect(budget.spent()).toBe(true);
    expect(budget.elapsedMs()).toBe(10_000);
  });

  it('is spent when the statements are used up', () => {
    const budget = runBudget({ seconds: 10, statements: 3 }, () => new Date(0));
    budget.count();
    budget.count();
    expect(budget.spent()).toBe(false);
    budget.count();
    expect(budget.spent()).toBe(true);
    expect(budget.statements).toBe(3);
  });
});
