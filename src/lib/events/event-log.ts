/**
 * Collects the security events a request raises and writes them after the response, in one insert.
 * If Postgres cannot take them they go to a Redis outbox that the cron drains every 5 minutes; if Redis cannot
 * either, they are reported (counts and types only) so the loss is visible, never silent.
 *
 * Redis keys: `auth:events:outbox` (list of JSON SecurityEvent, no TTL, at most OUTBOX_MAX entries;
 * drained by cron/drain-event-outbox.ts) and `auth:events:dead` (events Postgres refused, see there).
 */
import type { ReportError } from '../http/error-handler';
import { securityEvents } from '../storage/schema';
import type { Database } from '../storage/database';
import type { Redis } from '../storage/redis';
import type { ClientContext } from '../client/client-context';
import { EVENT_SEVERITY, type EventType, type SecurityEvent, type Severity } from './event-types';
import { raiseAlerts } from '../alerts/alert-store';
import { UNPOSTED_ALERTS, type AlertPolicy } from '../alerts/alert-policy';
import { sanitizeMetadata, sanitizeOptionalText, sanitizeText } from './event-sanitize';
import { foldRepeats } from './event-folding';
import { writeBehind } from '../storage/write-behind';
import type { Clock } from '../clock';
import { isRejectedByDatabase } from '../storage/database-errors';

export const OUTBOX_KEY = 'auth:events:outbox';
/** Outbox entries Postgres refused (moved there by the drain, cron/drain-event-outbox.ts). */
export const DEAD_LETTER_KEY = 'auth:events:dead';
/**
 * A day of a busy service's events at most: past it, Redis memory matters more than the overflow,
 * which is refused and reported (counts and types), never silently lost.
 */
export const OUTBOX_MAX = 100_000;

export interface EventStores {
  db: Database;
  redis: Pick<Redis, 'rpush' | 'ltrim' | 'eval'>;
  report: ReportError;
  /** Security signals (high and critical events) to Sentry; optional. */
  signal?: (event: SecurityEvent) => void;
  /** How alerts fold and are posted; without it they fold and resolve by default and are not posted. */
  alerts?: AlertHooks;
}

export interface AlertHooks {
  policy: AlertPolicy;
  /** Sends the webhook posts just queued, after the caller's response (not awaited here). */
  deliver?: (deliveryIds: number[]) => void;
}

export interface EventDetails {
  userId?: string | null;
  tokenId?: string | null;
  severity?: Severity;
  metadata?: Record<string, unknown>;
  alert?: boolean;
  /** For what an unauthenticated client can repeat at will: repeats from its IP with this reason fold into one row a minute. */
  foldPerMinute?: string;
}

export class RequestEvents {
  private readonly events: SecurityEvent[] = [];

  constructor(
    private readonly client: ClientContext | null,
    private readonly now: Date,
  ) {}

  record(type: EventType, details: EventDetails = {}): void {
    this.events.push({
      type,
      severity: details.severity ?? EVENT_SEVERITY[type],
      userId: details.userId ?? null,
      tokenId: details.tokenId ?? null,
      // Headers and metadata come from the client: bounded and free of what Postgres refuses (NUL).
      ip: sanitizeOptionalText(this.client?.ip ?? null, 64),
      userAgent: sanitizeOptionalText(this.client?.userAgent ?? null, 512),
      country: sanitizeOptionalText(this.client?.country ?? null, 8),
      metadata: sanitizeMetadata(details.metadata ?? {}),
      at: this.now,
      alert: details.alert ?? false,
      ...(details.foldPerMinute === undefined ? {} : { foldReason: sanitizeText(details.foldPerMinute, 64) }),
    });
  }

  /**
   * Writes and forgets the collected events, with `write` (the isolate's `eventWriter`, which puts
   * concurrent requests' events in one insert). Never throws: the auth flow must not fail for its log.
   */
  async flush(stores: EventStores, write: WriteEvents = writeEvents): Promise<void> {
    const batch = await foldRepeats(stores, this.events.splice(0));
    if (batch.length > 0) await write(stores, batch);
  }
}

export const toRow = (e: SecurityEvent) => ({
  eventType: e.type,
  severity: e.severity,
  userId: e.userId,
  tokenId: e.tokenId,
  ipAddress: e.ip,
  userAgent: e.userAgent,
  country: e.country,
  metadata: e.metadata,
  createdAt: e.at,
});

export type WriteEvents = (stores: EventStores, batch: SecurityEvent[]) => Promise<unknown>;

export async function writeEvents(
  stores: EventStores,
  batch: SecurityEvent[],
): Promise<'database' | 'outbox' | 'lost'> {
  signalEvents(stores, batch);
  try {
    await insertEvents(stores, batch);
    return 'database';
  } catch (dbError) {
    return divertEvents(stores, batch, dbError);
  }
}

/**
 * The isolate's event writer: the events of concurrent requests go in one insert (write-behind.ts), so
 * under load a request costs a share of an insert instead of one of its own. Should Postgres refuse the
 * insert for what one request's events hold, each request's events are written on their own, so one bad
 * event sends no one else's to the outbox; should it be out of reach, they all go to the outbox.
 */
export function eventWriter(clock: Clock): WriteEvents {
  const submit = writeBehind<{ stores: EventStores; batch: SecurityEvent[] }>(async (items, writer) => {
    // The writer's stores: its request does the I/O, so alert posts are kept alive by its waitUntil.
    const stores = writer.stores;
    if (items.length === 1) {
      await writeEvents(stores, items[0]!.batch);
      return;
    }
    const all = items.flatMap((i) => i.batch);
    signalEvents(stores, all);
    try {
      await insertEvents(stores, all);
    } catch (dbError) {
      if (!isRejectedByDatabase(dbError)) await divertEvents(stores, all, dbError);
      else
        await Promise.all(
          items.map((i) => insertEvents(stores, i.batch).catch((err: unknown) => divertEvents(stores, i.batch, err))),
        );
    }
  }, clock);
  return (stores, batch) => submit({ stores, batch });
}

function signalEvents(stores: EventStores, batch: SecurityEvent[]): void {
  for (const event of batch) if (event.severity === 'high' || event.severity === 'critical') stores.signal?.(event);
}

/** One insert, then the alerts the events raise. Throws when the insert fails (the caller diverts them). */
async function insertEvents(stores: EventStores, batch: SecurityEvent[]): Promise<void> {
  await stores.db.insert(securityEvents).values(batch.map(toRow));
  const alerts = batch.filter((e) => e.alert);
  // Alerts are derived from the events: if they fail the events still stand, and the failure is reported.
  if (alerts.length > 0) {
    const now = new Date(Math.max(...alerts.map((e) => e.at.getTime())));
    await raiseAlerts(stores.db, alerts, stores.alerts?.policy ?? UNPOSTED_ALERTS, now).then(
      (queued) => {
        if (queued.length > 0) stores.alerts?.deliver?.(queued);
      },
      (err: unknown) => stores.report(err, { source: 'events', detail: 'alerts' }),
    );
  }
}

/** Events Postgres did not take: to the Redis outbox, or, if Redis cannot take them either, reported as lost. */
async function divertEvents(stores: EventStores, batch: SecurityEvent[], dbError: unknown): Promise<'outbox' | 'lost'> {
  try {
    const length = await stores.redis.rpush(OUTBOX_KEY, ...batch.map((e) => JSON.stringify(e)));
    if (length <= OUTBOX_MAX) return 'outbox';
    // Full: keep the oldest OUTBOX_MAX (they are drained first) and refuse this overflow, loudly.
    await stores.redis.ltrim(OUTBOX_KEY, 0, OUTBOX_MAX - 1);
    reportLost(stores, batch.slice(Math.max(0, batch.length - (length - OUTBOX_MAX))), new Error('event outbox full'));
    return 'lost';
  } catch {
    reportLost(stores, batch, dbError);
    return 'lost';
  }
}

function reportLost(stores: EventStores, lost: SecurityEvent[], cause: unknown): void {
  stores.report(cause, {
    source: 'events',
    detail: `lost ${lost.length} events: ${lost.map((e) => e.type).join(',')}`,
  });
}
