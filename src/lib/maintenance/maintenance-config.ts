/**
 * Every number of the nightly maintenance, with its default. Any of them can be overridden with the
 * MAINTENANCE_CONFIG variable (JSON, partial: only what differs), as SECURITY_CONFIG does for
 * detection. docs/maintenance.md explains each one.
 */
import { z } from 'zod';

const days = (n: number) => z.number().min(0).max(3650).default(n);
const rows = (n: number) => z.number().int().min(1).max(100_000).default(n);
const ms = (n: number, max: number) => z.number().int().min(1).max(max).default(n);
/** A threshold; 0 turns that check off. */
const threshold = (n: number) => z.number().int().min(0).default(n);

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

export const maintenanceConfigSchema = z
  .object({
    /** How long each kind of row is kept after it stopped mattering. */
    retention: z
      .object({
        /**
         * An expired token, or a session that expired unrevoked, is kept this long: within it a client
         * coming back shortly after still gets TOKEN_EXPIRED, not TOKEN_INVALID. @default 1
         */
        expiredSessionGraceDays: days(1),
        /** A revoked session (and its tokens), kept for the dashboard and investigations. @default 30 */
        revokedSessionDays: days(30),
        /** A resolved alert, counted from its last detection. @default 90 */
        resolvedAlertDays: days(90),
        /** An alert-delivery attempt (the webhook log, once that table exists). @default 30 */
        alertDeliveryDays: days(30),
        /** A cron_runs row, whatever its job. @default 30 */
        cronRunDays: days(30),
      })
      .prefault({}),
    archive: z
      .object({
        /** Security events older than this move to security_events_archive. @default 90 */
        afterDays: z.number().min(1).max(3650).default(90),
      })
      .prefault({}),
    /**
     * Every deletion and the archival run in batches whose size adapts to how long a batch took: each
     * statement aims at `targetStatementMs` (Neon's HTTP endpoint ends a query at 15 s) and Postgres
     * cancels one at `statementTimeoutMs`, below the database client's own 5 s timeout, so a slow batch
     * rolls back cleanly and is retried at half the size instead of failing the run.
     */
    batches: z
      .object({
        initialRows: rows(2000),
        minRows: rows(100),
        maxRows: rows(20_000),
        targetStatementMs: ms(2000, 10_000),
        statementTimeoutMs: ms(4000, 4500),
      })
      .prefault({}),
    /**
     * What one run may spend. A daily Cron Trigger gets 15 minutes and, on the Paid plan, 10,000
     * subrequests (each statement is one): the run stops cleanly at either limit, leaving the rest for
     * the next night, with room to spare for its statistics and its record.
     */
    budget: z
      .object({
        /** @default 600 (10 minutes) */
        seconds: z.number().int().min(1).max(840).default(600),
        /** @default 5000 */
        statements: z.number().int().min(50).max(9000).default(5000),
      })
      .prefault({}),
    /** Over any of these an alert is raised (0 turns that check off). */
    thresholds: z
      .object({
        /** Total size (with indexes and TOAST) of any one table. @default 5 GiB */
        tableBytes: threshold(5 * GIB),
        /** The whole database. @default 8 GiB */
        databaseBytes: threshold(8 * GIB),
        /** Growth of any one table, per day since the previous run. @default 512 MiB */
        growthBytesPerDay: threshold(512 * MIB),
        /** Security events past the archive cut-off still in the live table after the run. @default 100000 */
        archiveBacklogRows: threshold(100_000),
      })
      .prefault({}),
    /** The severity of the alerts the thresholds raise (delivery sends `high` and above by default). @default high */
    alertSeverity: z.enum(['warning', 'high', 'critical']).default('high'),
    /** Counts that would be slow to make exact (the backlog, a dry run's candidates) stop at this. @default 1000000 */
    countCap: z.number().int().min(1000).max(100_000_000).default(1_000_000),
  })
  .superRefine((config, ctx) => {
    const b = config.batches;
    if (b.minRows > b.initialRows || b.initialRows > b.maxRows) {
      ctx.addIssue({ code: 'custom', path: ['batches'], message: 'needs minRows <= initialRows <= maxRows' });
    }
    if (b.targetStatementMs >= b.statementTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['batches', 'targetStatementMs'],
        message: 'must be below statementTimeoutMs',
      });
    }
  });

export type MaintenanceConfig = z.output<typeof maintenanceConfigSchema>;

export const DEFAULT_MAINTENANCE_CONFIG: MaintenanceConfig = maintenanceConfigSchema.parse({});

export const DAY_MS = 86_400_000;
