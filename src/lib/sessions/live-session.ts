/**
 * When a session is live: not revoked, and not idle past its expiry (`expires_at` bounds
 * `idle_expires_at`, so the absolute limit is in it too). The one definition the session list and the
 * dashboard's live-session figure use (docs/storage.md); unqualified, for a statement over `sessions`.
 */
import { sql, type SQL } from 'drizzle-orm';

export const liveSessionAt = (now: Date): SQL => sql`revoked_at is null and idle_expires_at > ${now}`;
