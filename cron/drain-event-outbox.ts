import { securityEvents } from '../src/lib/storage/schema';
import type { ReportError } from '../src/lib/http/error-handler';
import type { Database } from '../src/lib/storage/database';
import type { Redis } from '../src/lib/storage/redis';
import { DEAD_LETTER_KEY, OUTBOX_KEY, toRow } from '../src/lib/events/event-log';
import { raiseAlertStatements } from '../src/lib/alerts/alert-store';
import { UNPOSTED_ALERTS, type AlertPolicy } from '../src/lib/alerts/alert-policy';
import { markLateEvents } from '../src/lib/metrics/metrics-rollup';
import type { SecurityEvent } from '../src/lib/events/event-types';
import { isRejectedByDatabase } from '../src/lib/storage/database-errors';

const BATCH = 500;
/** Bounded, so one run finishes well inside its lock (and a Worker's time). */
const MAX_BATCHES_PER_RUN = 20;
/** Redis key: `auth:events:outbox:lock` -> a drain's id, TTL 120 s: one drain at a time. */
const LOCK_KEY = `${OUTBOX_KEY}:lock`;
const LOCK_SECONDS = 120;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
/**
 * `auth:events:dead` (DEAD_LETTER_KEY): a list of the raw outbox entries Postgres refused, or that are not an
 * event at all; no TTL; the newest DEAD_LETTER_MAX kept). Shown on /health; each one reported once,
 * when it moves here.
 */
export const DEAD_LETTER_MAX = 1000;

type OutboxRedis = Pick<Redis, 'lrange' | 'ltrim' | 'set' | 'eval' | 'rpush'>;
export type Report = ReportError;

function revive(raw: unknown): SecurityEvent | undefined {
  try {
    const event = (typeof raw === 'string' ? JSON.parse(raw) : raw) as SecurityEvent & { at: string | Date };
    if (!event || typeof event !== 'object' || typeof event.type !== 'string') return undefined;
    const at = new Date(event.at);
    return Number.isNaN(at.getTime()) ? undefined : { ...event, at };
  } catch {
    return undefined;
  }
}

/**
 * Events, their alerts and the metrics rollup's late mark in one transaction: all stored, or none.
 * These events are late by definition (they waited in the outbox), so the rollup counts their hours again.
 */
async function store(db: Database, events: SecurityEvent[], alerts: AlertPolicy): Promise<void> {
  const insert = db.insert(securityEvents).values(events.map(toRow));
  const raising = events.filter((e) => e.alert);
  const latest = new Date(Math.max(...events.map((e) => e.at.getTime())));
  // Posts the alerts queue are sent by the deliver-alerts job, which runs after this one in the same trigger.
  const raise = raiseAlertStatements(db, raising, alerts, latest);
  const oldest = new Date(Math.min(...events.map((e) => e.at.getTime())));
  await db.batch([insert, ...raise, markLateEvents(db, oldest)]);
}

/**
 * Stores a batch; when Postgres refuses it for its data (not an outage), stores its events one by one
 * and returns those refused, so one bad event never blocks the queue. An outage throws: the batch
 * stays queued for the next run.
 */
async function storeBatch(db: Database, raw: unknown[], alerts: AlertPolicy): Promise<unknown[]> {
  const revived = raw.map(revive);
  const refused = raw.filter((_, i) => revived[i] === undefined);
  const events = revived.filter((e): e is SecurityEvent => e !== undefined);
  if (events.length === 0) return refused;
  try {
    await store(db, events, alerts);
    return refused;
  } catch (err) {
    if (!isRejectedByDatabase(err)) throw err;
  }
  for (let i = 0; i < raw.length; i++) {
    const event = revived[i];
    if (!event) continue;
    try {
      await store(db, [event], alerts);
    } catch (err) {
      if (!isRejectedByDatabase(err)) throw err;
      refused.push(raw[i]);
    }
  }
  return refused;
}

/**
 * Moves the security events that waited in the Redis outbox (Postgres was unavailable when they
 * happened) into security_events, oldest first. One drain at a time (a lock): the nightly and the
 * five-minute triggers both fire at 02:00, and two drains reading the same head would store it twice.
 * A batch leaves the list only after its insert succeeded (new events are appended at the tail, so
 * trimming the head is safe), so a failure mid-way loses nothing: the next run takes it again.
 * An entry Postgres refuses moves to the dead-letter list instead. At most MAX_BATCHES_PER_RUN
 * batches a run; the rest waits five minutes.
 */
export async function drainEventOutbox(
  db: Database,
  redis: OutboxRedis,
  report: Report,
  alerts: AlertPolicy = UNPOSTED_ALERTS,
): Promise<{ drained: number; deadLettered: number; skipped?: 'locked' }> {
  const drainId = crypto.randomUUID();
  if ((await redis.set(LOCK_KEY, drainId, { nx: true, ex: LOCK_SECONDS })) !== 'OK')
    return { drained: 0, deadLettered: 0, skipped: 'locked' };
  let drained = 0;
  let deadLettered = 0;
  try {
    for (let round = 0; round < MAX_BATCHES_PER_RUN; round++) {
      const raw = await redis.lrange(OUTBOX_KEY, 0, BATCH - 1);
      if (raw.length === 0) break;
      const refused = await storeBatch(db, raw, alerts);
      if (refused.length > 0) {
        await redis.rpush(
          DEAD_LETTER_KEY,
          ...refused.map((entry) => (typeof entry === 'string' ? entry : JSON.stringify(entry))),
        );
        await redis.ltrim(DEAD_LETTER_KEY, -DEAD_LETTER_MAX, -1);
        report(new Error(`${refused.length} outbox entries refused by Postgres, moved to ${DEAD_LETTER_KEY}`), {
          source: 'cron',
          detail: 'drain-event-outbox',
        });
      }
      // Should this trim fail, the batch is stored again next run: a duplicate, never a loss.
      await redis.ltrim(OUTBOX_KEY, raw.length, -1);
      drained += raw.length - refused.length;
      deadLettered += refused.length;
      if (raw.length < BATCH) break;
    }
  } finally {
    await redis.eval(RELEASE, [LOCK_KEY], [drainId]);
  }
  return { drained, deadLettered };
}
