/** Reads and resets the bridges' counters: how many Redis and Postgres round trips a request made. */
export interface RoundTrips {
  postgres: number;
  redis: number;
  statements: string[];
}

export function bridgeCounters(neonBase: string, upstashBase: string) {
  const read = async (): Promise<RoundTrips> => {
    const [pg, redis] = await Promise.all([
      fetch(`${neonBase}/__stats`).then((r) => r.json() as Promise<{ requests: number; recent: string[] }>),
      fetch(`${upstashBase}/__stats`).then((r) => r.json() as Promise<{ requests: number }>),
    ]);
    return { postgres: pg.requests, redis: redis.requests, statements: pg.recent.slice(-pg.requests) };
  };
  const reset = async () => {
    await Promise.all([
      fetch(`${neonBase}/__stats/reset`, { method: 'POST' }),
      fetch(`${upstashBase}/__stats/reset`, { method: 'POST' }),
    ]);
  };
  return { read, reset };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The nearest-rank percentile (`p` in 0-100) of `values`. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}
