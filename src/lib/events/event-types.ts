/** Every security event type in the contract, with the severity it is recorded at by default. */
export const EVENT_SEVERITY = {
  signup_success: 'info',
  signup_failed: 'info',
  login_success: 'info',
  login_failed: 'warning',
  failed_login_attempt: 'warning',
  oauth_success: 'info',
  oauth_failed: 'warning',
  token_generated: 'info',
  token_refreshed: 'info',
  token_revoked: 'info',
  token_expired: 'info',
  token_invalid: 'warning',
  token_verification_failed: 'warning',
  mass_token_revocation: 'warning',
  logout: 'info',
  device_fingerprint_mismatch: 'warning',
  suspicious_token_usage: 'high',
  session_hijack_attempt: 'high',
  rate_limit_exceeded: 'warning',
  multiple_device_login: 'warning',
  user_account_locked: 'high',
  brute_force_detected: 'high',
  /** Failed logins against one account from many addresses reached its budget: `metadata` {failures, windowSeconds, locked, until}. */
  distributed_brute_force_detected: 'high',
  /** Failed logins from one address across accounts (many accounts, or a day's worth): `metadata` {reason, accounts|failures, windowSeconds, action, until}. */
  credential_stuffing_detected: 'high',
  rapid_token_refresh: 'high',
  bot_activity_detected: 'warning',
  geographic_anomaly: 'high',
  account_takeover_attempt: 'critical',
  ip_address_blocked: 'high',
  suspicious_activity: 'warning',
  token_cleanup: 'info',
  /** The nightly maintenance found a figure over its threshold: `metadata` {check, subject, value, threshold} (cron/nightly-maintenance.ts). */
  maintenance_threshold_exceeded: 'high',
  /** An admin changed something from the dashboard: `metadata` {action, adminId, target}; userId is the admin. */
  admin_action: 'info',
} as const;

export type EventType = keyof typeof EVENT_SEVERITY;
export type Severity = 'info' | 'warning' | 'high' | 'critical';

export interface SecurityEvent {
  type: EventType;
  severity: Severity;
  userId: string | null;
  tokenId: string | null;
  ip: string | null;
  userAgent: string | null;
  country: string | null;
  /** Never a password, token, cookie or authorization header: callers pass ids and reasons only. */
  metadata: Record<string, unknown>;
  at: Date;
  /** Also raise (or fold into) an alert for the dashboard. */
  alert?: boolean;
  /** What the alert folds on when it is about neither a user nor an IP (e.g. `table_size:security_events`). */
  alertSubject?: string;
  /**
   * Repeats of this event from one IP with this reason fold into one row per minute, with a count
   * (event-folding.ts): what an unauthenticated client can make us write is bounded.
   */
  foldReason?: string;
}
