/** Alerts: repeated detections of one kind for one subject (user, else IP) fold into one open alert. */
import { sql } from 'drizzle-orm';
import { securityAlerts } from '../storage/schema';
import type { Database } from '../storage/database';
import type { SecurityEvent } from './event-types';

interface Fold {
  type: string;
  severity: string;
  subject: string;
  userId: string | null;
  ip: string | null;
  count: number;
  first: Date;
  last: Date;
}

/** Folds a batch by (type, subject) first: one statement cannot update the same alert twice. */
export function foldAlerts(events: readonly SecurityEvent[]): Fold[] {
  const folds = new Map<string, Fold>();
  for (const e of events) {
    const subject = e.alertSubject ?? e.userId ?? e.ip ?? 'unknown';
    const key = `${e.type}|${subject}`;
    const fold = folds.get(key);
    if (fold) {
      fold.count += 1;
      if (e.at > fold.last) fold.last = e.at;
    } else {
      folds.set(key, {
        type: e.type,
        severity: e.severity,
        subject,
        userId: e.userId,
        ip: e.ip,
        count: 1,
        first: e.at,
        last: e.at,
      });
    }
  }
  return [...folds.values()];
}

export async function raiseAlerts(db: Database, events: readonly SecurityEvent[]): Promise<void> {
  await alertUpsert(db, events);
}

/** The statement that raises the alerts of these events (undefined when none), for a batch. */
export function alertUpsert(db: Database, events: readonly SecurityEvent[]) {
  const folds = foldAlerts(events);
  if (folds.length === 0) return undefined;
  return db
    .insert(securityAlerts)
    .values(
      folds.map((f) => ({
        type: f.type,
        severity: f.severity,
        subject: f.subject,
        userId: f.userId,
        ip: f.ip,
        count: f.count,
        firstSeen: f.first,
        lastSeen: f.last,
      })),
    )
    .onConflictDoUpdate({
      target: [securityAlerts.type, securityAlerts.subject],
      targetWhere: sql`${securityAlerts.status} = 'open'`,
      set: {
        count: sql`${securityAlerts.count} + excluded.count`,
        lastSeen: sql`greatest(${securityAlerts.lastSeen}, excluded.last_seen)`,
        severity: sql`excluded.severity`,
      },
    });
}
