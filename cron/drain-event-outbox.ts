import { securityEvents } from '../src/lib/db/schema';
import type { Database } from '../src/lib/storage/database';
import type { Redis } from '../src/lib/storage/redis';
import { OUTBOX_KEY, toRow } from '../src/lib/events/event-log';
import { raiseAlerts } from '../src/lib/alerts/alert-store';
import type { SecurityEvent } from '../src/lib/events/event-types';

const BATCH = 500;

function revive(raw: unknown): SecurityEvent {
  const event = (typeof raw === 'string' ? JSON.parse(raw) : raw) as SecurityEvent & { at: string | Date };
  return { ...event, at: new Date(event.at) };
}

/**
 * Moves the security events that waited in the Redis outbox (Postgres was unavailable when they
 * happened) into security_events, oldest first. A batch leaves the list only after its insert
 * succeeded, so a failure mid-way loses nothing: the next run takes it again.
 */
export async function drainEventOutbox(db: Database, redis: Pick<Redis, 'lrange' | 'ltrim'>): Promise<{ drained: number }> {
  let drained = 0;
  for (;;) {
    const raw = await redis.lrange(OUTBOX_KEY, 0, BATCH - 1);
    if (raw.length === 0) break;
    const batch = raw.map(revive);
    await db.insert(securityEvents).values(batch.map(toRow));
    await raiseAlerts(db, batch.filter((e) => e.alert));
    await redis.ltrim(OUTBOX_KEY, raw.length, -1);
    drained += raw.length;
    if (raw.length < BATCH) break;
  }
  return { drained };
}
