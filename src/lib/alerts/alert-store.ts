/**
 * Alerts and their lifecycle (contract: Dashboard Worker, alerts): repeated detections of one kind for
 * one subject (user, else IP) fold into one alert while it is not resolved; it resolves itself after a
 * quiet period or by an admin, and a recurrence after that opens a new one. Raising also queues the
 * webhook posts an alert owes (alert-delivery.ts sends them): "opened" at most once per repeat interval,
 * "resolved" once, and only for alerts that were posted.
 */
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { securityAlerts, type AlertStatus, type SecurityAlertRow } from '../storage/schema';
import type { Database } from '../storage/database';
import type { SecurityEvent, Severity } from '../events/event-types';
import { severitiesFrom, type AlertPolicy } from './alert-policy';

interface Fold {
  type: string;
  severity: Severity;
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
      if (e.at < fold.first) fold.first = e.at;
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

const seconds = (n: number) => sql`make_interval(secs => ${n})`;
const keysOf = (folds: Fold[]) =>
  sql`(type, subject) in (${sql.join(
    folds.map((f) => sql`(${f.type}, ${f.subject})`),
    sql`, `,
  )})`;

/**
 * The statements that raise the alerts of these events, for one transaction (a batch), in order:
 * resolve the ones of these subjects quiet for the policy's period (so a recurrence opens a new alert),
 * fold into the live ones or open new ones, then queue the posts due. None when no event raises an alert.
 */
export function raiseAlertStatements(db: Database, events: readonly SecurityEvent[], policy: AlertPolicy, now: Date) {
  const folds = foldAlerts(events);
  if (folds.length === 0) return [];
  const earliest = new Date(Math.min(...folds.map((f) => f.first.getTime())));
  const resolveQuiet = db.execute(
    resolveQuietSql(
      sql`${keysOf(folds)} and last_seen < ${earliest}::timestamptz - ${seconds(policy.autoResolveSeconds)}`,
      policy,
      now,
    ),
  );
  const upsert = db
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
      targetWhere: sql`${securityAlerts.status} <> 'resolved'`,
      set: {
        count: sql`${securityAlerts.count} + excluded.count`,
        lastSeen: sql`greatest(${securityAlerts.lastSeen}, excluded.last_seen)`,
        severity: sql`excluded.severity`,
      },
    });
  if (!policy.delivers) return [resolveQuiet, upsert] as const;
  // The row lock of the update makes the repeat interval hold under concurrency: a second request
  // folding into the same alert waits, then finds notified_at fresh and queues nothing.
  const queueOpened = db.execute(sql`
    with due as (
      update security_alerts set notified_at = ${now}
       where ${keysOf(folds)} and status = 'open'
         and severity in (${sql.join(
           severitiesFrom(policy.minSeverity).map((s) => sql`${s}`),
           sql`, `,
         )})
         and (notified_at is null or notified_at <= ${now}::timestamptz - ${seconds(policy.repeatSeconds)})
      returning id)
    insert into alert_deliveries (alert_id, event, status, next_attempt_at, created_at)
    select id, 'opened', 'pending', ${now}, ${now} from due
    returning id`);
  return [resolveQuiet, upsert, queueOpened] as const;
}

/** Resolves the alerts matching `where` (their quiet period is over) and queues "resolved" for those posted. */
function resolveQuietSql(where: SQL, policy: AlertPolicy, now: Date): SQL {
  return sql`
    with gone as (
      update security_alerts set status = 'resolved', resolved_at = last_seen + ${seconds(policy.autoResolveSeconds)}
       where status <> 'resolved' and ${where}
      returning id, notified_at)
    insert into alert_deliveries (alert_id, event, status, next_attempt_at, created_at)
    select id, 'resolved', 'pending', ${now}, ${now} from gone where notified_at is not null ${policy.delivers ? sql`` : sql`and false`}
    returning id`;
}

/** Delivery ids queued by the statements of raiseAlertStatements, from their batch results. */
export function queuedDeliveries(results: readonly unknown[]): number[] {
  return results.flatMap((r) => {
    const rows = (r as { rows?: unknown } | undefined)?.rows;
    return Array.isArray(rows) && rows.every((row) => row && typeof row === 'object' && 'id' in row)
      ? rows.map((row) => Number((row as { id: unknown }).id))
      : [];
  });
}

/** Raises the alerts of these events in one transaction; answers the webhook posts it queued. */
export async function raiseAlerts(
  db: Database,
  events: readonly SecurityEvent[],
  policy: AlertPolicy,
  now: Date,
): Promise<number[]> {
  const [first, ...rest] = raiseAlertStatements(db, events, policy, now);
  if (!first) return [];
  return queuedDeliveries(await db.batch([first, ...rest]));
}

/** Every alert quiet for the policy's period resolves itself (the cron, every 5 minutes); at most `limit`. */
export async function resolveQuietAlerts(
  db: Database,
  policy: AlertPolicy,
  now: Date,
  limit = 1000,
): Promise<number[]> {
  const { rows } = await db.execute(
    resolveQuietSql(
      sql`id in (select id from security_alerts where status <> 'resolved'
                  and last_seen < ${now}::timestamptz - ${seconds(policy.autoResolveSeconds)}
                  order by last_seen limit ${limit} for update skip locked)`,
      policy,
      now,
    ),
  );
  return rows.map((r) => Number(r.id));
}

/** An alert with the state of its latest webhook post (none when it was never queued). */
export interface AlertWithDelivery {
  alert: SecurityAlertRow;
  delivery: { status: 'none' | 'pending' | 'sent' | 'failed'; attempts: number };
}

const latestDelivery = {
  status: sql<
    string | null
  >`(select status from alert_deliveries d where d.alert_id = security_alerts.id order by d.id desc limit 1)`,
  attempts: sql<
    number | null
  >`(select attempts from alert_deliveries d where d.alert_id = security_alerts.id order by d.id desc limit 1)`,
};

function withDelivery(row: {
  alert: SecurityAlertRow;
  status: string | null;
  attempts: number | null;
}): AlertWithDelivery {
  // `sending` is a post in flight: still pending to whoever reads it.
  const status = row.status === null ? 'none' : row.status === 'sending' ? 'pending' : row.status;
  return {
    alert: row.alert,
    delivery: { status: status as AlertWithDelivery['delivery']['status'], attempts: Number(row.attempts ?? 0) },
  };
}

/** Alerts, open ones first, then by their latest detection; optionally of one status. */
export async function listAlerts(
  db: Database,
  status: AlertStatus | undefined,
  limit: number,
): Promise<AlertWithDelivery[]> {
  const rows = await db
    .select({ alert: securityAlerts, ...latestDelivery })
    .from(securityAlerts)
    .where(status ? eq(securityAlerts.status, status) : undefined)
    .orderBy(sql`${securityAlerts.status} = 'open' desc`, desc(securityAlerts.lastSeen), desc(securityAlerts.id))
    .limit(limit);
  return rows.map(withDelivery);
}

export async function findAlert(db: Database, id: string): Promise<AlertWithDelivery | undefined> {
  const [row] = await db
    .select({ alert: securityAlerts, ...latestDelivery })
    .from(securityAlerts)
    .where(eq(securityAlerts.id, id));
  return row && withDelivery(row);
}

/**
 * An admin acknowledges an open alert: it stays live (detections still fold into it) but stops
 * counting as open and is not posted again. Acknowledging one already acknowledged or resolved changes
 * nothing. False when there is no such alert.
 */
export async function acknowledgeAlert(
  db: Database,
  id: string,
  adminId: string,
  note: string | undefined,
  now: Date,
): Promise<boolean> {
  const [updated] = await db
    .update(securityAlerts)
    .set({ status: 'acknowledged', acknowledgedBy: adminId, acknowledgedAt: now, ackNote: note ?? null })
    .where(and(eq(securityAlerts.id, id), eq(securityAlerts.status, 'open')))
    .returning({ id: securityAlerts.id });
  return updated !== undefined || (await findAlert(db, id)) !== undefined;
}

/**
 * An admin resolves an alert (idempotent), queuing its "resolved" post when it was posted. Answers
 * undefined for an unknown id, else the posts queued (none when it was resolved already).
 */
export async function resolveAlert(
  db: Database,
  id: string,
  adminId: string,
  now: Date,
): Promise<number[] | undefined> {
  const [resolved, queued] = await db.batch([
    db
      .update(securityAlerts)
      .set({ status: 'resolved', resolvedAt: now, resolvedBy: adminId })
      .where(and(eq(securityAlerts.id, id), sql`${securityAlerts.status} <> 'resolved'`))
      .returning({ id: securityAlerts.id }),
    // Only the resolution this batch made (its resolved_at), and never a second "resolved" post.
    db.execute(sql`
      insert into alert_deliveries (alert_id, event, status, next_attempt_at, created_at)
      select id, 'resolved', 'pending', ${now}, ${now} from security_alerts
       where id = ${id} and resolved_by = ${adminId} and resolved_at = ${now} and notified_at is not null
         and not exists (select 1 from alert_deliveries where alert_id = ${id} and event = 'resolved')
      returning id`),
  ]);
  if (resolved.length === 0 && !(await findAlert(db, id))) return undefined;
  return queued.rows.map((r) => Number(r.id));
}
