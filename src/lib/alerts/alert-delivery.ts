/**
 * Sends the webhook posts alerts owe (the `alert_deliveries` outbox) and logs each attempt (status,
 * HTTP code, latency). A post is claimed before it is sent (`sending`, with a lease), so the request
 * that raised the alert and the cron never send it twice; a failure schedules the next attempt
 * (retry-schedule.ts), honouring Retry-After; a refusal that retrying cannot fix (4xx) ends it.
 * Runs after responses (waitUntil) and in the cron: never on an auth request's critical path.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../storage/database';
import { alertDeliveryAttempts } from '../storage/schema';
import type { Clock } from '../clock';
import type { ReportError } from '../http/error-handler';
import type { AlertPolicy, WebhookSettings } from './alert-policy';
import { findAlert } from './alert-store';
import { alertView } from './alert-view';
import { webhookPost, type DeliveryEvent } from './alert-payload';
import { parseRetryAfter, retryDelayMs } from './retry-schedule';

export interface DeliveryDeps {
  db: Database;
  clock: Clock;
  /** Undefined: no webhook configured, nothing is sent. */
  webhook: WebhookSettings | undefined;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  report: ReportError;
  sleep?: (ms: number) => Promise<void>;
}

/** A claim outlives the slowest post (its timeout) with room to record the outcome. */
const LEASE_MS = 30_000;
const POST_TIMEOUT_MS = 5000;
/** How long the raising request keeps retrying after its response, before leaving it to the cron. */
export const INLINE_RETRY_BUDGET_MS = 15_000;
/** Posts one cron run sends at most (each is a subrequest; Slack takes about one a second). */
export const CRON_BATCH = 50;

interface Claimed {
  id: number;
  alertId: string;
  event: DeliveryEvent;
  attempts: number;
}

type Outcome =
  | { kind: 'sent'; statusCode: number }
  | { kind: 'retry'; statusCode: number | null; error: string; retryAfterMs: number | undefined }
  | { kind: 'refused'; statusCode: number; error: string };

/** Claims due posts (of `ids`, or any) for one attempt each. */
async function claim(db: Database, ids: readonly number[] | undefined, now: Date, limit: number): Promise<Claimed[]> {
  if (ids?.length === 0) return [];
  const only = ids
    ? sql`and id in (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )})`
    : sql``;
  const { rows } = await db.execute(sql`
    with picked as (
      select id from alert_deliveries
       where ((status = 'pending' and next_attempt_at <= ${now}) or (status = 'sending' and lease_until < ${now})) ${only}
       order by next_attempt_at limit ${limit} for update skip locked)
    update alert_deliveries d
       set status = 'sending', lease_until = ${new Date(now.getTime() + LEASE_MS)}, attempts = d.attempts + 1
      from picked where d.id = picked.id
    returning d.id, d.alert_id, d.event, d.attempts`);
  return rows.map((r) => ({
    id: Number(r.id),
    alertId: String(r.alert_id),
    event: r.event as DeliveryEvent,
    attempts: Number(r.attempts),
  }));
}

async function post(deps: DeliveryDeps, webhook: WebhookSettings, claimed: Claimed): Promise<Outcome> {
  const found = await findAlert(deps.db, claimed.alertId);
  if (!found) return { kind: 'refused', statusCode: 0, error: 'alert deleted' };
  const now = deps.clock();
  const { body, headers } = await webhookPost(webhook, alertView(found), claimed.event, now);
  try {
    const res = await deps.fetch(webhook.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    });
    await res.body?.cancel();
    if (res.ok) return { kind: 'sent', statusCode: res.status };
    const retryable = res.status >= 500 || res.status === 408 || res.status === 425 || res.status === 429;
    if (!retryable) return { kind: 'refused', statusCode: res.status, error: `HTTP ${res.status}` };
    return {
      kind: 'retry',
      statusCode: res.status,
      error: `HTTP ${res.status}`,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), deps.clock()),
    };
  } catch (err) {
    // The name only: a fetch error's message may hold the URL, which is a secret for Slack.
    const name = err instanceof Error ? err.name : 'Error';
    return {
      kind: 'retry',
      statusCode: null,
      error: name === 'TimeoutError' ? 'timeout' : 'network error',
      retryAfterMs: undefined,
    };
  }
}

/** Logs the attempt and moves the post on; answers when its next attempt is due (undefined: done). */
async function settle(
  deps: DeliveryDeps,
  claimed: Claimed,
  outcome: Outcome,
  startedAt: Date,
): Promise<Date | undefined> {
  const now = deps.clock();
  const delay = outcome.kind === 'retry' ? retryDelayMs(claimed.attempts, outcome.retryAfterMs) : undefined;
  const next = delay === undefined ? undefined : new Date(now.getTime() + delay);
  const status = outcome.kind === 'sent' ? 'sent' : next ? 'pending' : 'failed';
  await deps.db.batch([
    deps.db.insert(alertDeliveryAttempts).values({
      deliveryId: claimed.id,
      attemptedAt: startedAt,
      statusCode: outcome.statusCode || null,
      latencyMs: now.getTime() - startedAt.getTime(),
      error: outcome.kind === 'sent' ? null : outcome.error,
    }),
    deps.db.execute(sql`update alert_deliveries
       set status = ${status}, lease_until = null, next_attempt_at = ${next ?? now},
           sent_at = ${outcome.kind === 'sent' ? now : null}
     where id = ${claimed.id}`),
  ]);
  if (status === 'failed') {
    deps.report(new Error(`alert webhook post failed: ${outcome.kind === 'sent' ? '' : outcome.error}`), {
      source: 'alerts',
      detail: `delivery ${claimed.id} (${claimed.event}) after ${claimed.attempts} attempts`,
    });
  }
  return next;
}

/** One attempt of each claimed post, at once; answers the next attempt due of each still pending. */
async function attempt(deps: DeliveryDeps, webhook: WebhookSettings, claimed: Claimed[]): Promise<Map<number, Date>> {
  const due = new Map<number, Date>();
  await Promise.all(
    claimed.map(async (c) => {
      const startedAt = deps.clock();
      const next = await settle(deps, c, await post(deps, webhook, c), startedAt);
      if (next) due.set(c.id, next);
    }),
  );
  return due;
}

/**
 * Right after the detection (in waitUntil): sends the posts just queued, retrying those whose next
 * attempt falls within the inline budget; the rest wait for the cron. Never throws.
 */
export async function deliverNow(deps: DeliveryDeps, ids: readonly number[]): Promise<void> {
  const webhook = deps.webhook;
  if (!webhook || ids.length === 0) return;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = deps.clock().getTime() + INLINE_RETRY_BUDGET_MS;
  try {
    let pending: readonly number[] = ids;
    while (pending.length > 0) {
      const due = await attempt(deps, webhook, await claim(deps.db, pending, deps.clock(), pending.length));
      const soon = [...due].filter(([, at]) => at.getTime() <= deadline);
      if (soon.length === 0) return;
      await sleep(Math.max(0, Math.min(...soon.map(([, at]) => at.getTime())) - deps.clock().getTime()));
      pending = soon.map(([id]) => id);
    }
  } catch (err) {
    deps.report(err, { source: 'alerts', detail: 'deliver after detection' });
  }
}

/** The cron's turn: one attempt of each post due (retries, and posts whose raising request died). */
export async function deliverDue(
  deps: DeliveryDeps,
  limit = CRON_BATCH,
): Promise<{ attempted: number; pending: number }> {
  const webhook = deps.webhook;
  if (!webhook) return { attempted: 0, pending: 0 };
  const claimed = await claim(deps.db, undefined, deps.clock(), limit);
  const due = await attempt(deps, webhook, claimed);
  return { attempted: claimed.length, pending: due.size };
}

/** What raising and posting alerts needs, built once per Worker isolate from its config. */
export interface Alerting {
  policy: AlertPolicy;
  delivery: DeliveryDeps;
}
