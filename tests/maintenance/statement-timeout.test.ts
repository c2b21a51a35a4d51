/** Each maintenance statement runs under its own statement timeout, over the Neon HTTP protocol (SET LOCAL in one request). */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { db } from '../support';
import { statementRunner, isStatementTimeout } from '../../src/lib/maintenance/statement-runner';
import { runBudget } from '../../src/lib/maintenance/run-budget';
import { systemClock } from '../../src/lib/clock';

describe('the statement runner', () => {
  it('has Postgres cancel a statement past the timeout, and counts and times what it runs', async () => {
    const budget = runBudget({ seconds: 60, statements: 10 }, systemClock);
    const runner = statementRunner(db, { statementTimeoutMs: 100 }, budget, systemClock);
    const error = await runner.rows('sleepy', sql`select pg_sleep(0.5)`).catch((err: unknown) => err);
    expect(isStatementTimeout(error)).toBe(true);
    const [row] = await runner.rows<{ timeout: string }>(
      'fast',
      sql`select current_setting('statement_timeout') as timeout`,
    );
    expect(row?.timeout).toBe('100ms');
    expect(budget.statements).toBe(2);
    expect(runner.longest.ms).toBeGreaterThanOrEqual(90);
    expect(runner.longest.name).toBe('sleepy');
  });

  it('leaves other statements without that timeout (SET LOCAL ends with its transaction)', async () => {
    const [row] = (await db.execute(sql`select current_setting('statement_timeout') as timeout`)).rows as [
      { timeout: string },
    ];
    expect(row.timeout).toBe('0');
  });
});
