/**
 * A sliding-window limiter held in the isolate's memory: the fallback when Redis does not answer in
 * time. Each isolate counts on its own, so across isolates the effective limit is looser, but a route
 * never becomes unlimited (which @upstash/ratelimit's own fail-open timeout would allow).
 */

export interface WindowDecision {
  allowed: boolean;
  remaining: number;
  resetMs: number;
}

/** Pure: given the hits still in the window (oldest first), whether one more is allowed at `now`. */
export function decideSlidingWindow(
  hits: readonly number[],
  limit: number,
  windowMs: number,
  now: number,
): WindowDecision {
  const live = hits.filter((t) => t > now - windowMs);
  const oldest = live[0] ?? now;
  if (live.length >= limit) return { allowed: false, remaining: 0, resetMs: oldest + windowMs - now };
  return {
    allowed: true,
    remaining: limit - live.length - 1,
    resetMs: (live.length === 0 ? now : oldest) + windowMs - now,
  };
}

const MAX_KEYS = 10_000; // bound the memory one isolate spends on this (128 MB per isolate in production)

export class MemoryWindows {
  private readonly hits = new Map<string, number[]>();

  /** Whether one more hit would be allowed, without counting one (a ceiling the gate only looks at). */
  peek(key: string, limit: number, windowMs: number, now: number): WindowDecision {
    return decideSlidingWindow(this.hits.get(key) ?? [], limit, windowMs, now);
  }

  take(key: string, limit: number, windowMs: number, now: number): WindowDecision {
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - windowMs);
    const decision = decideSlidingWindow(recent, limit, windowMs, now);
    if (decision.allowed) recent.push(now);
    this.hits.delete(key); // re-insert: the Map's order is then least recently used first
    this.hits.set(key, recent);
    if (this.hits.size > MAX_KEYS) this.hits.delete(this.hits.keys().next().value as string);
    return decision;
  }
}
