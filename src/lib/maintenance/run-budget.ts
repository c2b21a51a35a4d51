/**
 * What one run may still spend: wall time (a daily Cron Trigger gets 15 minutes) and statements
 * (each is one subrequest; the Paid plan allows 10,000 per invocation). Batched steps stop before
 * their next batch once either is spent; the run's statistics and record come after, within the room
 * the limits' maxima leave (maintenance-config.ts).
 */
import type { Clock } from '../clock';

export interface BudgetLimits {
  seconds: number;
  statements: number;
}

export interface RunBudget {
  /** True once the time or the statement allowance is used up. */
  spent(): boolean;
  /** Counts one statement against the allowance. */
  count(): void;
  readonly statements: number;
  elapsedMs(): number;
}

export function runBudget(limits: BudgetLimits, clock: Clock): RunBudget {
  const started = clock().getTime();
  let statements = 0;
  const elapsedMs = () => clock().getTime() - started;
  return {
    spent: () => statements >= limits.statements || elapsedMs() >= limits.seconds * 1000,
    count: () => {
      statements += 1;
    },
    get statements() {
      return statements;
    },
    elapsedMs,
  };
}
