/** Builds a Worker's alerting (policy and webhook sender) from its parsed config. */
import type { Database } from '../storage/database';
import type { Clock } from '../clock';
import type { ReportError } from '../http/error-handler';
import { alertSettingsFrom, type AlertEnv } from './alert-policy';
import type { Alerting } from './alert-delivery';

export function buildAlerting(config: AlertEnv, db: Database, clock: Clock, report: ReportError): Alerting {
  const { policy, webhook } = alertSettingsFrom(config);
  // Called as a function of the global, never detached from it (workerd: "Illegal invocation").
  return { policy, delivery: { db, clock, report, webhook, fetch: (url, init) => fetch(url, init) } };
}
