/**
 * What `npm run bench:dashboard` takes from src/ as the code has it: the metrics statement exactly as
 * src/lib/metrics/metrics-store.ts builds it (for EXPLAIN ANALYZE, so the figure cannot drift from what
 * the route runs), and IP blocks written as the detection writes them. Bundled with esbuild before
 * use (src/ imports have no extensions, which Node alone cannot resolve).
 */
import { PgDialect } from 'drizzle-orm/pg-core';
import { figuresStatement } from '../../src/lib/metrics/metrics-store';
import { bucketSizeFor } from '../../src/lib/metrics/metrics-window';
import { blockIp } from '../../src/lib/detection/ip-blocklist';
import { createRedis } from '../../src/lib/storage/redis';

export function metricsStatement(windowMs: number, now: Date): { sql: string; params: unknown[] } {
  return new PgDialect().sqlToQuery(figuresStatement({ since: new Date(now.getTime() - windowMs), now, bucketMs: bucketSizeFor(windowMs) }));
}

/** Blocks each IP for `seconds` from `now`, through the Upstash REST API (the local bridge). */
export async function blockIps(redis: { url: string; token: string }, ips: string[], reason: string, seconds: number, now: Date): Promise<void> {
  const client = createRedis(redis);
  for (const ip of ips) await blockIp(client, ip, reason, seconds, now);
}
