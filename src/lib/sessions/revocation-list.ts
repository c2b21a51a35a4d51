/**
 * A deny-list of revoked sessions in Redis, so an access token of a revoked session is refused at
 * once (not when it expires). Entries live as long as an access token can: TTL + clock skew.
 *
 * Keys: `auth:revoked-session:{sessionId}` -> "1", TTL = access-token lifetime + 60 s.
 */
import type { Redis } from '../storage/redis';

const key = (sessionId: string) => `auth:revoked-session:${sessionId}`;

export interface RevocationList {
  add(sessionIds: string[]): Promise<void>;
  /** true / false, or undefined when Redis cannot answer (the caller then asks the database). */
  isRevoked(sessionId: string): Promise<boolean | undefined>;
}

export function redisRevocationList(redis: Pick<Redis, 'pipeline' | 'exists'>, ttlSeconds: number): RevocationList {
  return {
    async add(sessionIds) {
      if (sessionIds.length === 0) return;
      const pipeline = redis.pipeline();
      for (const id of sessionIds) pipeline.set(key(id), '1', { ex: ttlSeconds });
      await pipeline.exec();
    },
    async isRevoked(sessionId) {
      try {
        return (await redis.exists(key(sessionId))) === 1;
      } catch {
        return undefined;
      }
    },
  };
}
