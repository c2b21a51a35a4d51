/**
 * What the alert lifecycle and its webhook follow (contract: Alert delivery), parsed from the
 * ALERT_* variables by the Workers' config and handed to src/lib as values.
 */
import type { Severity } from '../events/event-types';

export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'high', 'critical'];

export interface AlertPolicy {
  /** Alerts below this severity are kept for the dashboard but never posted. */
  minSeverity: Severity;
  /** An alert is posted at most once per this many seconds, however many detections fold into it. */
  repeatSeconds: number;
  /** An alert with no detection for this long resolves itself. */
  autoResolveSeconds: number;
  /** Whether a webhook is configured at all: without one, no post is queued (delivery status "none"). */
  delivers: boolean;
}

export interface WebhookSettings {
  url: string;
  format: 'slack' | 'json';
  /** Signs `json` posts (HMAC-SHA256); Slack's URL is its own secret. */
  secret: string | undefined;
  /** Where a Slack message links to (the dashboard page); none: no link. */
  dashboardUrl: string | undefined;
}

/** Alerts fold and resolve themselves, but nothing is posted: what a caller without a webhook gets. */
export const UNPOSTED_ALERTS: AlertPolicy = {
  minSeverity: 'high',
  repeatSeconds: 3600,
  autoResolveSeconds: 86_400,
  delivers: false,
};

/** The severities at or above `min`, for SQL (`severity in (...)`). */
export function severitiesFrom(min: Severity): Severity[] {
  return SEVERITIES.slice(SEVERITIES.indexOf(min));
}

/** The variables both Workers and the cron read for alerts (src/lib/config/env-schema.ts). */
export interface AlertEnv {
  ALERT_WEBHOOK_URL?: string | undefined;
  ALERT_WEBHOOK_FORMAT: 'slack' | 'json';
  ALERT_WEBHOOK_SECRET?: string | undefined;
  ALERT_MIN_SEVERITY: Severity;
  ALERT_REPEAT_SECONDS: number;
  ALERT_AUTO_RESOLVE_SECONDS: number;
  DASHBOARD_PUBLIC_URL?: string | undefined;
}

export function alertSettingsFrom(env: AlertEnv): { policy: AlertPolicy; webhook: WebhookSettings | undefined } {
  const webhook = env.ALERT_WEBHOOK_URL
    ? {
        url: env.ALERT_WEBHOOK_URL,
        format: env.ALERT_WEBHOOK_FORMAT,
        secret: env.ALERT_WEBHOOK_SECRET,
        dashboardUrl: env.DASHBOARD_PUBLIC_URL,
      }
    : undefined;
  return {
    policy: {
      minSeverity: env.ALERT_MIN_SEVERITY,
      repeatSeconds: env.ALERT_REPEAT_SECONDS,
      autoResolveSeconds: env.ALERT_AUTO_RESOLVE_SECONDS,
      delivers: webhook !== undefined,
    },
    webhook,
  };
}
