/**
 * Collects the security events a request raises and writes them after the response, in one insert.
 * If Postgres cannot take them they go to a Redis outbox that the cron drains every 5 minutes; if Redis cannot
 * either, they are reported (counts and types only) so the loss is visible, never silent.
 *
 * Redis key: `auth:events:outbox` (list of JSON SecurityEvent, no TTL; drained by cron/drain-event-outbox.ts).
 */
import { securityEvents } from '../db/schema';
import type { Database } from '../storage/database';
import type { Redis } from '../storage/redis';
import type { ClientContext } from '../http/client-context';
import { EVENT_SEVERITY, type EventType, type SecurityEvent, type Severity } from './event-types';
import { raiseAlerts } from '../alerts/alert-store';

export const OUTBOX_KEY = 'auth:events:outbox';

export interface EventStores {
  db: Database;
  redis: Pick<Redis, 'rpush'>;
  report: (error: unknown, context: { method: string; path: string }) => void;
  /** Security signals (high and critical events) to Sentry; optional. */
  signal?: (event: SecurityEvent) => void;
}

export class RequestEvents {
  private readonly events: SecurityEvent[] = [];

  constructor(private readonly client: ClientContext | null, private readonly now: Date) {}

  record(type: EventType, details: { userId?: string | null; tokenId?: string | null; severity?: Severity; metadata?: Record<string, unknown>; alert?: boolean } = {}): void {
    this.events.push({
      type,
      severity: details.severity ?? EVENT_SEVERITY[type],
      userId: details.userId ?? null,
      tokenId: details.tokenId ?? null,
      ip: this.client?.ip ?? null,
      userAgent: this.client?.userAgent ?? null,
      country: this.client?.country ?? null,
      metadata: details.metadata ?? {},
      at: this.now,
      alert: details.alert ?? false,
    });
  }

  /** Writes and forgets the collected events. Never throws: the auth flow must not fail for its log. */
  async flush(stores: EventStores): Promise<void> {
    const batch = this.events.splice(0);
    if (batch.length > 0) await writeEvents(stores, batch);
  }
}

export const toRow = (e: SecurityEvent) => ({
  eventType: e.type, severity: e.severity, userId: e.userId, tokenId: e.tokenId, ipAddress: e.ip,
  userAgent: e.userAgent, country: e.country, metadata: e.metadata, createdAt: e.at,
});

export async function writeEvents(stores: EventStores, batch: SecurityEvent[]): Promise<'database' | 'outbox' | 'lost'> {
  for (const event of batch) if (event.severity === 'high' || event.severity === 'critical') stores.signal?.(event);
  try {
    await stores.db.insert(securityEvents).values(batch.map(toRow));
    const alerts = batch.filter((e) => e.alert);
    // Alerts are derived from the events: if they fail the events still stand, and the failure is reported.
    if (alerts.length > 0) await raiseAlerts(stores.db, alerts).catch((err: unknown) => stores.report(err, { method: 'EVENTS', path: 'alerts' }));
    return 'database';
  } catch (dbError) {
    try {
      await stores.redis.rpush(OUTBOX_KEY, ...batch.map((e) => JSON.stringify(e)));
      return 'outbox';
    } catch {
      stores.report(dbError, { method: 'EVENTS', path: `lost ${batch.length} events: ${batch.map((e) => e.type).join(',')}` });
      return 'lost';
    }
  }
}
