/**
 * Session retention, as batched deletions (cron/retention.ts runs them): whole sessions that ended
 * long enough ago (their tokens go with them, ON DELETE CASCADE), then expired tokens of live
 * sessions. A session's state is its own row, so no order of deletions can make a revoked session
 * live again: deleting tokens never touches `sessions.revoked_at`. The numbers come from
 * MAINTENANCE_CONFIG's `retention` (defaults: 1 day after expiry, 30 days after revocation).
 */
import { sql } from 'drizzle-orm';
import type { RetentionTarget } from './retention';

export const SESSION_TARGETS: RetentionTarget[] = [
  {
    // Within the grace an expired session still answers TOKEN_EXPIRED (not TOKEN_INVALID) to a client back shortly after.
    name: 'expiredSessions',
    table: 'sessions',
    key: 'id',
    keptDays: (r) => r.expiredSessionGraceDays,
    where: (before) => sql`revoked_at is null and idle_expires_at < ${before}`,
    oldestFirst: sql`idle_expires_at`,
  },
  {
    // Kept for the dashboard and an investigation, then gone with its tokens.
    name: 'revokedSessions',
    table: 'sessions',
    key: 'id',
    keptDays: (r) => r.revokedSessionDays,
    where: (before) => sql`revoked_at < ${before}`,
    oldestFirst: sql`revoked_at`,
  },
  {
    // Rotated or abandoned tokens of sessions that live on.
    name: 'expiredTokens',
    table: 'refresh_tokens',
    key: 'id',
    keptDays: (r) => r.expiredSessionGraceDays,
    where: (before) => sql`expires_at < ${before}`,
    oldestFirst: sql`expires_at`,
  },
];
