/**
 * The Redis adapter: @upstash/redis over REST. Production points it at Upstash; locally at the
 * Upstash bridge in front of a real redis-server.
 */
import { Redis } from '@upstash/redis/cloudflare';

export interface RedisSettings {
  url: string;
  token: string;
  /**
   * Per request. The client otherwise retries network errors 5 times (about 12 s) before it throws;
   * an auth request cannot wait that long, so we give up fast and degrade instead.
   * @default 1500
   */
  timeoutMs?: number;
}

export function createRedis(settings: RedisSettings): Redis {
  const timeoutMs = settings.timeoutMs ?? 1500;
  return new Redis({
    url: settings.url,
    token: settings.token,
    enableTelemetry: false,
    // Every value we store is text (counters, JSON, ids), so replies need no base64 armour: decoding
    // it cost about 0.1 ms of CPU per request in the Workers' hottest routes (npm run bench:profile).
    responseEncoding: false,
    retry: { retries: 1, backoff: () => 25 },
    signal: () => AbortSignal.timeout(timeoutMs),
  });
}

export type { Redis };
