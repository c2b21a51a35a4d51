/**
 * The isolate's event writer (eventWriter, write-behind.ts): concurrent requests' events share one
 * insert, and one request's bad event sends no one else's to the outbox.
 */
import { describe, expect, it } from 'vitest';
import { testEnv } from '../test-env';
import { randomIp } from '../auth/api';
import { createRedis } from '../../src/lib/storage/redis';
import { OUTBOX_KEY, RequestEvents, eventWriter, type EventStores } from '../../src/lib/events/event-log';
import { systemClock } from '../../src/lib/clock';
import type { SecurityEvent } from '../../src/lib/events/event-types';
import { db, eventsFromIp } from '../support';

const redis = createRedis({ url: testEnv.UPSTASH_REDIS_REST_URL, token: testEnv.UPSTASH_REDIS_REST_TOKEN });
const stores: EventStores = { db, redis, report: () => undefined };

/** One request's events, as its RequestEvents hands them over. */
async function eventsOf(ip: string, userId: string | null = null): Promise<SecurityEvent[]> {
  const events = new RequestEvents(
    {
      ip,
      userAgent: 'test',
      country: null,
      city: null,
      latitude: null,
      longitude: null,
      asn: null,
      colo: null,
      fingerprint: 'f',
    },
    new Date(),
  );
  events.record('login_failed', { userId, metadata: { reason: 'batch test' } });
  const collected: SecurityEvent[] = [];
  await events.flush(stores, async (_stores, batch) => collected.push(...batch));
  return collected;
}

describe('the isolate’s event writer', () => {
  it('stores every request’s events when many are handed in at once (one writer, the rest queued)', async () => {
    const write = eventWriter(systemClock);
    const ips = Array.from({ length: 6 }, () => randomIp());
    const batches = await Promise.all(ips.map((ip) => eventsOf(ip)));
    await Promise.all(batches.map((batch) => write(stores, batch)));
    for (const ip of ips) expect((await eventsFromIp(ip)).map((r) => r.eventType)).toEqual(['login_failed']);
  });

  it('stores the others when Postgres refuses one request’s event, and sends only that one to the outbox', async () => {
    const write = eventWriter(systemClock);
    const [first, good, bad, alsoGood] = [randomIp(), randomIp(), randomIp(), randomIp()];
    const batches = await Promise.all([
      eventsOf(first),
      eventsOf(good),
      eventsOf(bad, 'not-a-uuid'), // user_id is a uuid column: Postgres refuses the row (22P02)
      eventsOf(alsoGood),
    ]);
    // The first is written alone; the three handed in meanwhile go together, and that insert fails.
    await Promise.all(batches.map((batch) => write(stores, batch)));
    for (const ip of [first, good, alsoGood]) expect(await eventsFromIp(ip)).toHaveLength(1);
    expect(await eventsFromIp(bad)).toHaveLength(0);
    const outbox = (await redis.lrange<unknown>(OUTBOX_KEY, 0, -1)).map(
      (r) => (typeof r === 'string' ? JSON.parse(r) : r) as { ip: string },
    );
    expect(outbox.filter((e) => e.ip === bad)).toHaveLength(1);
    expect(outbox.filter((e) => [first, good, alsoGood].includes(e.ip))).toHaveLength(0);
    // Leave the outbox as it was: the refused entry would dead-letter in another test's drain.
    for (const raw of await redis.lrange<unknown>(OUTBOX_KEY, 0, -1)) {
      const entry = typeof raw === 'string' ? raw : JSON.stringify(raw);
      if (entry.includes(bad)) await redis.lrem(OUTBOX_KEY, 1, typeof raw === 'string' ? raw : entry);
    }
  });
});
