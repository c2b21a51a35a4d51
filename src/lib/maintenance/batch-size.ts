/**
 * How big the next batch should be, from how long the last one took: a pure decision. Each statement
 * aims at the target (well under Neon's 15 s HTTP limit), so a fast table takes big batches and a
 * slow or busy one small ones, without anyone tuning a number per table.
 */
export interface BatchSettings {
  minRows: number;
  maxRows: number;
  targetStatementMs: number;
}

/**
 * The size that would have taken the target at the last batch's pace, never more than twice or less
 * than half the last size (one slow or fast batch is noise), within [minRows, maxRows].
 * @example nextBatchSize(2000, 500, { minRows: 100, maxRows: 20000, targetStatementMs: 2000 }) // 4000
 */
export function nextBatchSize(current: number, elapsedMs: number, settings: BatchSettings): number {
  const paced = current * (settings.targetStatementMs / Math.max(elapsedMs, 1));
  const damped = Math.min(current * 2, Math.max(current / 2, paced));
  return clamp(Math.floor(damped), settings);
}

/**
 * After Postgres cancelled a batch at the statement timeout (nothing of it was applied): half the
 * size, or undefined when it is already the smallest allowed (the table itself is the problem).
 */
export function sizeAfterTimeout(current: number, settings: BatchSettings): number | undefined {
  if (current <= settings.minRows) return undefined;
  return clamp(Math.floor(current / 2), settings);
}

const clamp = (n: number, s: BatchSettings) => Math.min(s.maxRows, Math.max(s.minRows, n));
