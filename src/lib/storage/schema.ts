/**
 * The one database schema. drizzle-kit generates the migrations in drizzle/ from this file
 * (`npm run db:generate`); the row types used across src/lib are inferred from it.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** Who an account is; the access token carries it as `role`. */
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Stored trimmed and lower-cased; the unique index on lower(email) holds even for rows written elsewhere. */
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** `$argon2id$v=19$m=,t=,p=$salt$hash` (or `scrypt$N$r$p$salt$hash`, rehashed on login): parameters travel with the hash. Null for Google-only users. */
    passwordHash: text('password_hash'),
    googleSubject: text('google_subject'),
    /**
     * When the address was proven to belong to the account's owner (today: by Google). Null for a
     * password sign-up, whose address anyone could have typed: see src/lib/accounts/google-sign-in.ts.
     */
    emailVerifiedAt: timestamptz('email_verified_at'),
    role: text('role').$type<Role>().notNull().default('user'),
    lockedUntil: timestamptz('locked_until'),
    lockReason: text('lock_reason'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_email_lower_idx').on(sql`lower(${t.email})`),
    uniqueIndex('users_google_subject_idx').on(t.googleSubject),
    // The users whose password hash is still scrypt (password-hasher.ts): empty once all have moved.
    index('users_scrypt_hash_idx')
      .on(t.id)
      .where(sql`${t.passwordHash} like 'scrypt$%'`),
    check('users_role_check', sql`${t.role} in ('user', 'admin')`),
  ],
);

/**
 * One row per session (a sign-in on one device). Its state lives here and nowhere else: a session is
 * live while `revoked_at` is null and `idle_expires_at` is ahead. Revoking it is one UPDATE of this
 * row, so no deletion of token rows can ever bring a revoked session back.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    deviceName: text('device_name'),
    deviceFingerprint: text('device_fingerprint'),
    /** Where the session was last used (its newest sign-in or refresh), from the request and `request.cf`. */
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    country: text('country'),
    city: text('city'),
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    asn: integer('asn'),
    colo: text('colo'),
    createdAt: timestamptz('created_at').notNull(),
    lastUsedAt: timestamptz('last_used_at').notNull(),
    /** The absolute limit: no rotation extends the session, or any token of it, past this. */
    expiresAt: timestamptz('expires_at').notNull(),
    /** When the session ends if it is not refreshed again: its newest token's expiry (never past `expires_at`). */
    idleExpiresAt: timestamptz('idle_expires_at').notNull(),
    revokedAt: timestamptz('revoked_at'),
    revokedReason: text('revoked_reason'),
    /**
     * Rapid refresh detection: the session's refreshes in a window that starts at the first of them,
     * kept by the rotation statement itself (no round trip of its own).
     */
    refreshWindowStartedAt: timestamptz('refresh_window_started_at'),
    refreshesInWindow: integer('refreshes_in_window').notNull().default(0),
  },
  (t) => [
    // A user's sessions, newest first (the dashboard's user view).
    index('sessions_user_created_idx').on(t.userId, t.createdAt.desc()),
    // A user's live sessions (the session list, logout-all, account-level revocation).
    index('sessions_user_live_idx')
      .on(t.userId, t.idleExpiresAt)
      .where(sql`${t.revokedAt} is null`),
    // Live sessions overall (metrics), and unrevoked sessions long expired (cleanup).
    index('sessions_live_idx')
      .on(t.idleExpiresAt)
      .where(sql`${t.revokedAt} is null`),
    // Revoked sessions past their retention (cleanup).
    index('sessions_revoked_idx')
      .on(t.revokedAt)
      .where(sql`${t.revokedAt} is not null`),
  ],
);

/**
 * One row per refresh token: what a token is and nothing else. Each rotation marks the presented
 * token rotated and adds its child. Only the SHA-256 of a token is ever stored.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    parentId: uuid('parent_id'),
    createdAt: timestamptz('created_at').notNull(),
    expiresAt: timestamptz('expires_at').notNull(),
    rotatedAt: timestamptz('rotated_at'),
    /** Set when its session is revoked (informative: the session row decides). */
    revokedAt: timestamptz('revoked_at'),
  },
  (t) => [
    uniqueIndex('refresh_tokens_token_hash_idx').on(t.tokenHash),
    index('refresh_tokens_session_idx').on(t.sessionId),
    index('refresh_tokens_expires_idx').on(t.expiresAt),
  ],
);

/**
 * The columns of an event, live or archived, between its id and its time (one home: the archive
 * must keep every column the live table has, in the same order, for `insert ... select`).
 */
const eventColumns = () => ({
  eventType: text('event_type').notNull(),
  severity: text('severity').notNull(),
  userId: uuid('user_id'),
  tokenId: uuid('token_id'),
  ipAddress: text('ip_address'),
  userAgent: text('user_agent'),
  country: text('country'),
  metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
});

export const securityEvents = pgTable(
  'security_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ...eventColumns(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('security_events_created_idx').on(t.createdAt.desc(), t.id.desc()),
    index('security_events_type_created_idx').on(t.eventType, t.createdAt.desc()),
    index('security_events_user_created_idx').on(t.userId, t.createdAt.desc()),
    index('security_events_ip_created_idx').on(t.ipAddress, t.createdAt.desc()),
    check('security_events_severity_check', sql`${t.severity} in ('info', 'warning', 'high', 'critical')`),
  ],
);

/**
 * Security events older than the archive cut-off (90 days by default), moved here by the nightly
 * maintenance (cron/archive-events.ts): the same columns and the same ids as in security_events, so
 * an investigation can `union all` the two. Cold and append-ordered: a BRIN index on created_at is
 * enough for time ranges and costs the archival almost nothing to maintain.
 */
export const securityEventsArchive = pgTable(
  'security_events_archive',
  {
    // The live row's id, kept: no sequence of its own.
    id: bigint('id', { mode: 'number' }).primaryKey(),
    ...eventColumns(),
    // The live row's time, kept: no default.
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [index('security_events_archive_created_brin').using('brin', t.createdAt)],
);

/**
 * The metrics' rollup (src/lib/metrics/metrics-rollup.ts): security events counted per UTC hour and
 * type (folded rows counting their metadata.count), so a week's or a month's metrics read a few
 * thousand rows instead of every event. Kept by the five-minute cron; exact for the hours
 * `metrics_rollup_state` says it covers, and the metrics read raw events outside them.
 */
export const securityEventCountsHourly = pgTable(
  'security_event_counts_hourly',
  {
    hour: timestamptz('hour').notNull(),
    eventType: text('event_type').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.hour, t.eventType] })],
);

/**
 * Each user's last sign-in or refresh up to the rollup's end (the same refresh keeps it): a week's
 * active users are then an index range on `last_active_at` instead of a distinct over its events.
 * A table of its own, not a users column: the refresh rewrites it every five minutes.
 */
export const metricsUserActivity = pgTable(
  'metrics_user_activity',
  {
    // No foreign key, as security_events.user_id has none: the raw count counts a deleted user's events too.
    userId: uuid('user_id').primaryKey(),
    lastActiveAt: timestamptz('last_active_at').notNull(),
  },
  (t) => [index('metrics_user_activity_last_active_idx').on(t.lastActiveAt)],
);

/**
 * The hours the rollup covers, [covered_from, covered_to), one row (name 'events'); `dirty_from` is
 * the oldest event stored late (drained from the Redis outbox) inside them, whose hours the next
 * refresh counts again. No row: no rollup yet, and the metrics read raw events only.
 */
export const metricsRollupState = pgTable('metrics_rollup_state', {
  name: text('name').primaryKey(),
  coveredFrom: timestamptz('covered_from').notNull(),
  coveredTo: timestamptz('covered_to').notNull(),
  dirtyFrom: timestamptz('dirty_from'),
  /** Bumped with each late write: a refresh clears dirty_from only if no late write came during it. */
  dirtyVersion: integer('dirty_version').notNull().default(0),
});

/**
 * A record of each scheduled job run: what it did and whether it finished. The row of a running job
 * is also its lock: one `running` row per job at most (a unique partial index), held until
 * `lease_until`; a later run finding it past its lease marks it `interrupted` (src/lib/maintenance/run-history.ts).
 */
export const cronRuns = pgTable(
  'cron_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    job: text('job').notNull(),
    startedAt: timestamptz('started_at').notNull(),
    finishedAt: timestamptz('finished_at'),
    status: text('status').$type<CronRunStatus>().notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    /** While `running`: until when the run holds its job's lock. Past it, the run is taken for dead. */
    leaseUntil: timestamptz('lease_until'),
  },
  (t) => [
    uniqueIndex('cron_runs_one_running_idx')
      .on(t.job)
      .where(sql`${t.status} = 'running'`),
    // The dashboard's recent runs of one job, and the previous run's statistics.
    index('cron_runs_job_started_idx').on(t.job, t.startedAt.desc()),
    // Retention: runs older than the cut-off, whatever the job.
    index('cron_runs_started_idx').on(t.startedAt),
    check(
      'cron_runs_status_check',
      sql`${t.status} in ('running', 'succeeded', 'partial', 'failed', 'interrupted', 'skipped')`,
    ),
  ],
);

/**
 * `succeeded`: all done; `partial`: stopped cleanly at its time or statement budget, the rest left for
 * the next run; `failed`: an error ended it (details.error, scrubbed); `interrupted`: it stopped without
 * a word (killed, or it lost its database), as the next run found; `skipped`: another run held the lock.
 */
export type CronRunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'interrupted' | 'skipped';
export type CronRunRow = typeof cronRuns.$inferSelect;

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
export type SecurityEventRow = typeof securityEvents.$inferSelect;

/**
 * Repeated detections of one kind for one user or IP fold into one alert with a count, while it is
 * not resolved (open or acknowledged); a recurrence after its resolution opens a new one.
 * `subject` is the user id when there is one, else the IP: the fold key.
 */
export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const securityAlerts = pgTable(
  'security_alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    type: text('type').notNull(),
    severity: text('severity').$type<'info' | 'warning' | 'high' | 'critical'>().notNull(),
    subject: text('subject').notNull(),
    userId: uuid('user_id'),
    ip: text('ip'),
    count: integer('count').notNull().default(1),
    firstSeen: timestamptz('first_seen').notNull(),
    lastSeen: timestamptz('last_seen').notNull(),
    status: text('status').$type<AlertStatus>().notNull().default('open'),
    acknowledgedBy: uuid('acknowledged_by'),
    acknowledgedAt: timestamptz('acknowledged_at'),
    ackNote: text('ack_note'),
    resolvedAt: timestamptz('resolved_at'),
    /** The admin who resolved it; null when it resolved itself after its quiet period. */
    resolvedBy: uuid('resolved_by'),
    /** When an "opened" post to the webhook was last queued: at most one per ALERT_REPEAT_SECONDS. */
    notifiedAt: timestamptz('notified_at'),
  },
  (t) => [
    uniqueIndex('security_alerts_active_fold_idx')
      .on(t.type, t.subject)
      .where(sql`${t.status} <> 'resolved'`),
    index('security_alerts_status_last_seen_idx').on(t.status, t.lastSeen.desc()),
    check('security_alerts_status_check', sql`${t.status} in ('open', 'acknowledged', 'resolved')`),
  ],
);

export type SecurityAlertRow = typeof securityAlerts.$inferSelect;

/**
 * The webhook outbox: one row per post an alert owes the receiver ("opened" or "resolved"), sent right
 * after the detection and retried by the cron with backoff until `sent` or `failed`. `sending` is a
 * claim held until `lease_until`, so the request that raised it and the cron never post it twice.
 */
export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const alertDeliveries = pgTable(
  'alert_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    alertId: uuid('alert_id')
      .notNull()
      .references(() => securityAlerts.id, { onDelete: 'cascade' }),
    event: text('event').$type<'opened' | 'resolved'>().notNull(),
    status: text('status').$type<DeliveryStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamptz('next_attempt_at').notNull(),
    leaseUntil: timestamptz('lease_until'),
    createdAt: timestamptz('created_at').notNull(),
    sentAt: timestamptz('sent_at'),
  },
  (t) => [
    // The cron's due posts, oldest first.
    index('alert_deliveries_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} in ('pending', 'sending')`),
    // An alert's latest post (its delivery status on the dashboard).
    index('alert_deliveries_alert_idx').on(t.alertId, t.id.desc()),
    index('alert_deliveries_created_idx').on(t.createdAt),
    check('alert_deliveries_status_check', sql`${t.status} in ('pending', 'sending', 'sent', 'failed')`),
    check('alert_deliveries_event_check', sql`${t.event} in ('opened', 'resolved')`),
  ],
);

/** Each post to the webhook: when, the HTTP status (null: no answer), how long it took, why it failed. */
export const alertDeliveryAttempts = pgTable(
  'alert_delivery_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deliveryId: bigint('delivery_id', { mode: 'number' })
      .notNull()
      .references(() => alertDeliveries.id, { onDelete: 'cascade' }),
    attemptedAt: timestamptz('attempted_at').notNull(),
    statusCode: integer('status_code'),
    latencyMs: integer('latency_ms').notNull(),
    /** A short, scrubbed reason (never the URL: a webhook URL is a secret). */
    error: text('error'),
  },
  (t) => [index('alert_delivery_attempts_delivery_idx').on(t.deliveryId)],
);

export type AlertDeliveryRow = typeof alertDeliveries.$inferSelect;
