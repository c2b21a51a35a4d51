/**
 * A risk verdict per login and per refresh: the signals a request shows, weighed into a score, the
 * score into a level (low, medium, high), and the level into the action the configured policy names.
 * Pure: the caller gathers the signals (risk-signals.ts for a login; the rotation's own view of the
 * session for a refresh) and records the verdict on the event metadata.
 */
import type { SecurityConfig } from './security-config';

export type RiskLevel = 'low' | 'medium' | 'high';
export type LoginAction = 'allow' | 'alert' | 'refuse';
export type RefreshAction = 'allow' | 'alert' | 'end_session';

export interface LoginSignals {
  /** No earlier session of the account had this device's fingerprint. */
  newDevice: boolean;
  /** No earlier session of the account was last used from this country / this network (ASN). */
  newCountry: boolean;
  newAsn: boolean;
  /** The last login's place is too far to have come from (rules.ts, impossibleTravel). */
  impossibleTravel: boolean;
  /** Failed logins for the account from any address, and distinct accounts failing from this address, in their windows. */
  accountFailures: number;
  addressAccounts: number;
  suspiciousUserAgent: boolean;
}

export interface RefreshSignals {
  deviceChanged: boolean;
  countryChanged: boolean;
  asnChanged: boolean;
  suspiciousUserAgent: boolean;
}

export interface RiskVerdict<A extends string> {
  score: number;
  level: RiskLevel;
  /** The signals that counted, by name (recorded; never a value the client sent). */
  signals: string[];
  action: A;
}

function levelOf(score: number, config: SecurityConfig): RiskLevel {
  const { medium, high } = config.risk.levels;
  return score >= high ? 'high' : score >= medium ? 'medium' : 'low';
}

function weigh(present: Record<string, boolean>, weights: Record<string, number>) {
  const signals = Object.keys(present).filter((name) => present[name]);
  const score = signals.reduce((sum, name) => sum + (weights[name] ?? 0), 0);
  return { score: Math.min(100, score), signals };
}

/**
 * A login's risk. `knownDevice` caps the action at `alert`: a device of the account's earlier sessions
 * is never refused, so whoever knows only the email (and makes the account look attacked) cannot lock
 * the owner out.
 */
export function loginRisk(s: LoginSignals, config: SecurityConfig): RiskVerdict<LoginAction> {
  const r = config.risk;
  const { score, signals } = weigh(
    {
      newDevice: s.newDevice,
      newCountry: s.newCountry,
      newAsn: s.newAsn,
      impossibleTravel: s.impossibleTravel,
      accountFailures: s.accountFailures >= r.accountFailures,
      addressFailures: s.addressAccounts >= r.addressAccounts,
      suspiciousUserAgent: s.suspiciousUserAgent,
    },
    r.loginWeights,
  );
  const level = levelOf(score, config);
  const action = r.loginPolicy[level];
  return { score, level, signals, action: action === 'refuse' && !s.newDevice ? 'alert' : action };
}

/** A refresh's risk: by default a refresh whose device and country both changed ends the session. */
export function refreshRisk(s: RefreshSignals, config: SecurityConfig): RiskVerdict<RefreshAction> {
  const { score, signals } = weigh({ ...s }, config.risk.refreshWeights);
  const level = levelOf(score, config);
  return { score, level, signals, action: config.risk.refreshPolicy[level] };
}

/** The verdict as event metadata records it. */
export const riskSummary = (v: RiskVerdict<string>) => ({
  score: v.score,
  level: v.level,
  signals: v.signals,
  action: v.action,
});
