/**
 * What `npm run bench:dashboard` takes from src/ as the code has it: the metrics statement exactly as
 * src/lib/metrics/metrics-store.ts builds it, the rollup's refresh, (for EXPLAIN ANALYZE, so the figure cannot drift from what
 * the route runs), and IP blocks written as the detection writes them. Bundled with esbuild before
 * use (src/ imports have no extensions, which Node alone cannot resolve).
 */
import { PgDialect } from 'drizzle-orm/pg-core';
import { figuresStatement, statementFor } from '../../src/lib/metrics/metrics-store';
import { refreshMetricsRollup, ROLLUP_SETTINGS, type RollupRefresh } from '../../src/lib/metrics/metrics-rollup';

// The bench builds the rollup in one go, however long it takes: it measures the reads, not the cron's budget.
const ROLLUP_BENCH_SETTINGS = { ...ROLLUP_SETTINGS, budgetMs: Number.POSITIVE_INFINITY };
import { createDatabase } from '../../src/lib/storage/database';
import { bucketSizeFor } from '../../src/lib/metrics/metrics-window';
import { blockIp } from '../../src/lib/detection/ip-blocklist';
import { createRedis } from '../../src/lib/storage/redis';

/** The statement the route sends for this window (`raw`: the one without the rollup, for comparison). */
export function metricsStatement(windowMs: number, now: Date, raw = false): { sql: string; params: unknown[] } {
  const q = { since: new Date(now.getTime() - windowMs), now, bucketMs: bucketSizeFor(windowMs) };
  return new PgDialect().sqlToQuery(raw ? figuresStatement(q) : statementFor(q));
}

/** One run of the five-minute cron's rollup refresh, through the Neon bridge as the Worker would. */
export function refreshRollup(database: { url: string; fetchEndpoint?: string }, now: Date): Promise<RollupRefresh> {
  return refreshMetricsRollup(createDatabase(database), now, () => new Date(), { ...ROLLUP_BENCH_SETTINGS });
}

/** Blocks each IP for `seconds` from `now`, through the Upstash REST API (the local bridge). */
export async function blockIps(
  redis: { url: string; token: string },
  ips: string[],
  reason: string,
  seconds: number,
  now: Date,
): Promise<void> {
  const client = createRedis(redis);
  for (const ip of ips) await blockIp(client, ip, reason, seconds, now);
}
