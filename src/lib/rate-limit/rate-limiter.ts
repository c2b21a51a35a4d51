/**
 * Per-route rate limits on Redis with @upstash/ratelimit (sliding window), shared by every Worker
 * instance. When Redis is unreachable or slower than the configured timeout, the isolate's in-memory
 * window decides instead: degraded, but never unlimited.
 *
 * Redis keys: `auth:rl:{route}:{identifier}:{window}` (the library's sliding-window counters, expiring
 * after two windows).
 */
import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '../storage/redis';
import type { LimitedRoute, SecurityConfig } from '../detection/security-config';
import { MemoryWindows } from './memory-window';

export interface LimitVerdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window frees a request. */
  resetSeconds: number;
  /** RFC draft `RateLimit-Policy`, e.g. `5;w=60`. */
  policy: string;
  source: 'redis' | 'memory';
}

/** Takes a slot of `route`'s limit for `identifier`; `peek` says whether one is free without taking it. */
export type RateLimiter = ((route: LimitedRoute, identifier: string, now: Date) => Promise<LimitVerdict>) & {
  peek: (route: LimitedRoute, identifier: string, now: Date) => Promise<LimitVerdict>;
};

export function createRateLimiter(redis: Redis, config: SecurityConfig): RateLimiter {
  const memory = new MemoryWindows();
  const limiters = new Map<LimitedRoute, Ratelimit>();
  const limiterFor = (route: LimitedRoute) => {
    let limiter = limiters.get(route);
    if (!limiter) {
      const rule = config.rateLimits[route];
      limiter = new Ratelimit({
        redis,
        limiter: Ratelimit.slidingWindow(rule.requests, `${rule.windowSeconds} s`),
        prefix: `auth:rl:${route}`,
        timeout: config.redisTimeoutMs,
        analytics: false,
        ephemeralCache: false,
      });
      limiters.set(route, limiter);
    }
    return limiter;
  };

  const fromMemory = (route: LimitedRoute, identifier: string, now: Date, take: boolean): LimitVerdict => {
    const rule = config.rateLimits[route];
    const args = [`${route}:${identifier}`, rule.requests, rule.windowSeconds * 1000, now.getTime()] as const;
    const decision = take ? memory.take(...args) : memory.peek(...args);
    return {
      allowed: decision.allowed,
      limit: rule.requests,
      remaining: decision.remaining,
      resetSeconds: Math.max(1, Math.ceil(decision.resetMs / 1000)),
      policy: policyOf(route),
      source: 'memory',
    };
  };
  const policyOf = (route: LimitedRoute) =>
    `${config.rateLimits[route].requests};w=${config.rateLimits[route].windowSeconds}`;

  const limit = async (route: LimitedRoute, identifier: string, now: Date): Promise<LimitVerdict> => {
    try {
      const result = await limiterFor(route).limit(identifier);
      // The library fails open after its timeout (success: true, reason: "timeout"): decide in memory instead.
      if (result.reason !== 'timeout') {
        return {
          allowed: result.success,
          limit: result.limit,
          remaining: Math.max(0, result.remaining),
          resetSeconds: Math.max(1, Math.ceil((result.reset - now.getTime()) / 1000)),
          policy: policyOf(route),
          source: 'redis',
        };
      }
    } catch {
      // Redis refused or the network failed: decide in memory.
    }
    return fromMemory(route, identifier, now, true);
  };

  const peek = async (route: LimitedRoute, identifier: string, now: Date): Promise<LimitVerdict> => {
    try {
      const result = await limiterFor(route).getRemaining(identifier);
      const remaining = Math.max(0, result.remaining);
      return {
        allowed: remaining > 0,
        limit: result.limit,
        remaining,
        resetSeconds: Math.max(1, Math.ceil((result.reset - now.getTime()) / 1000)),
        policy: policyOf(route),
        source: 'redis',
      };
    } catch {
      return fromMemory(route, identifier, now, false);
    }
  };

  return Object.assign(limit, { peek });
}
