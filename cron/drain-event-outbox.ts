import { securityEvents } from '../src/lib/db/schema';
import type { Database } from '../src/lib/storage/database';
import type { Redis } from '../src/lib/storage/redis';
import { OUTBOX_KEY, toRow } from '../src/lib/events/event-log';
import { alertUpsert } from '../src/lib/alerts/alert-store';
import type { SecurityEvent } from '../src/lib/events/event-types';

const BATCH = 500;
/** Bounded, so one run finishes well inside its lock (and a Worker's time). */
const MAX_BATCHES_PER_RUN = 20;
/** Redis key: `auth:events:outbox:lock` -> a drain's id, TTL 120 s: one drain at a time. */
const LOCK_KEY = `${OUTBOX_KEY}:lock`;
const LOCK_SECONDS = 120;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

function revive(raw: unknown): SecurityEvent {
  const event = (typeof raw === 'string' ? JSON.parse(raw) : raw) as SecurityEvent & { at: string | Date };
  return { ...event, at: new Date(event.at) };
}

/**
 * Moves the security events that waited in the Redis outbox (Postgres was unavailable when they
 * happened) into security_events, oldest first. One drain at a time (a lock): the nightly and the
 * five-minute triggers both fire at 02:00, and two drains reading the same head would store it twice.
 * A batch leaves the list only after its insert succeeded (new events are appended at the tail, so
 * trimming the head is safe), so a failure mid-way loses nothing: the next run takes it again.
 * At most MAX_BATCHES_PER_RUN batches a run; the rest waits five minutes.
 */
export async function drainEventOutbox(db: Database, redis: Pick<Redis, 'lrange' | 'ltrim' | 'set' | 'eval'>): Promise<{ drained: number; skipped?: 'locked' }> {
  const drainId = crypto.randomUUID();
  if ((await redis.set(LOCK_KEY, drainId, { nx: true, ex: LOCK_SECONDS })) !== 'OK') return { drained: 0, skipped: 'locked' };
  let drained = 0;
  try {
    for (let round = 0; round < MAX_BATCHES_PER_RUN; round++) {
      const raw = await redis.lrange(OUTBOX_KEY, 0, BATCH - 1);
      if (raw.length === 0) break;
      const batch = raw.map(revive);
      // Events and their alerts in one transaction: all stored, or none (and the batch stays queued).
      const insert = db.insert(securityEvents).values(batch.map(toRow));
      const alerts = alertUpsert(db, batch.filter((e) => e.alert));
      await (alerts ? db.batch([insert, alerts]) : insert);
      // Should this trim fail, the batch is stored again next run: a duplicate, never a loss.
      await redis.ltrim(OUTBOX_KEY, raw.length, -1);
      drained += raw.length;
      if (raw.length < BATCH) break;
    }
  } finally {
    await redis.eval(RELEASE, [LOCK_KEY], [drainId]);
  }
  return { drained };
}
