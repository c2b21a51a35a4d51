/**
 * Folding of repeated unauthenticated events: a refused Bearer token, a 429 or a scanner's user agent
 * from one IP, repeated, becomes one row per (type, IP, reason, minute) whose `metadata.count` says
 * how many there were, so one host cannot make us write thousands of rows a second.
 *
 * The first event of a minute is inserted with `count: 1`; the count is kept in Redis and written back
 * to that row when it reaches 2, 4, 8, 16, ... (so a row is updated log2(n) times a minute, and its
 * count is at least half the true one, exact at each power of two).
 *
 * Redis key: `auth:fold:{type}:{ip}:{reason}:{minute}` -> count, TTL 120 s.
 */
import type { ReportError } from '../http/error-handler';
import { sql } from 'drizzle-orm';
import type { Database } from '../storage/database';
import type { Redis } from '../storage/redis';
import type { SecurityEvent } from './event-types';
import { COUNT_IN_WINDOW } from '../detection/counters';

const FOLD_SECONDS = 60;

export interface FoldStores {
  db: Database;
  redis: Pick<Redis, 'eval'>;
  report: ReportError;
}

const isPowerOfTwo = (n: number) => n > 1 && (n & (n - 1)) === 0;

function minuteOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / (FOLD_SECONDS * 1000)) * FOLD_SECONDS * 1000);
}

function foldKey(event: SecurityEvent & { foldReason: string }): string {
  return `auth:fold:${event.type}:${event.ip ?? '-'}:${event.foldReason}:${minuteOf(event.at).toISOString()}`;
}

async function writeBackCount(
  db: Database,
  event: SecurityEvent & { foldReason: string },
  count: number,
): Promise<void> {
  const from = minuteOf(event.at);
  const to = new Date(from.getTime() + FOLD_SECONDS * 1000);
  // Index scan on (ip_address, created_at): a folded minute holds one row per type and reason.
  await db.execute(sql`update security_events set metadata = jsonb_set(metadata, '{count}', to_jsonb(${count}::int))
    where ip_address is not distinct from ${event.ip} and created_at >= ${from} and created_at < ${to}
      and event_type = ${event.type} and metadata->>'foldReason' = ${event.foldReason}`);
}

/**
 * The events of a batch that need a row of their own (every unfolded event, and the first of a
 * minute's repeats); repeats bump their minute's count instead. Should Redis fail, nothing is
 * folded: an extra row is better than a lost event.
 */
export async function foldRepeats(stores: FoldStores, batch: SecurityEvent[]): Promise<SecurityEvent[]> {
  const foldable = batch.filter((e): e is SecurityEvent & { foldReason: string } => e.foldReason !== undefined);
  if (foldable.length === 0) return batch;
  let counts: number[];
  try {
    counts = await Promise.all(
      foldable.map(
        (e) => stores.redis.eval(COUNT_IN_WINDOW, [foldKey(e)], [String(FOLD_SECONDS * 2)]) as Promise<number>,
      ),
    );
  } catch {
    return batch;
  }
  const repeats = new Set<SecurityEvent>();
  await Promise.all(
    foldable.map(async (event, i) => {
      const count = Number(counts[i]);
      if (count === 1) {
        event.metadata = { ...event.metadata, foldReason: event.foldReason, count: 1 };
        return;
      }
      repeats.add(event);
      if (isPowerOfTwo(count)) {
        await writeBackCount(stores.db, event, count).catch((err: unknown) =>
          stores.report(err, { source: 'events', detail: 'fold count' }),
        );
      }
    }),
  );
  return batch.filter((e) => !repeats.has(e));
}
