/**
 * Gathering a verdict's signals (risk.ts decides): for a login, the account's sessions (one query) and
 * its recent failures and the address's (one Redis round trip); for a refresh, the rotation's own view
 * of the session. Kept apart from detector.ts, which records what happened after the answer.
 */
import type { ClientContext } from '../client/client-context';
import { ipBucket } from '../client/ip-bucket';
import { accountHistory } from '../accounts/known-device';
import type { RotationResult } from '../sessions/session-store';
import { readLoginRisk } from './counters';
import type { DetectorDeps } from './detector';
import { loginRisk, refreshRisk, type LoginAction, type RefreshAction, type RiskVerdict } from './risk';
import { impossibleTravel, suspiciousUserAgent, type LoginPlace } from './rules';
import type { SecurityConfig } from './security-config';

/** The rotation's own view of the session (what it was before this refresh), as the rotation statement returned it. */
export type RefreshedSession = Pick<
  RotationResult,
  'sessionId' | 'userId' | 'tokenId' | 'sessionFingerprint' | 'previousCountry' | 'previousAsn' | 'refreshesInWindow'
>;

/** Where a request comes from, as a place a login is compared with (rules.ts, impossibleTravel). */
export const placeOf = (client: ClientContext, now: Date): LoginPlace => ({
  latitude: client.latitude,
  longitude: client.longitude,
  country: client.country,
  asn: client.asn,
  colo: client.colo,
  at: now.getTime(),
});

/**
 * The risk of a login whose password was right, before its session starts (risk.ts): the account's
 * history (one query), its recent failures and the address's (one Redis round trip), the travel from
 * the last login and the user agent. Undefined when the signals cannot be read (the login goes on, as
 * it would without detection; the failure is reported).
 */
export async function assessLogin(
  deps: DetectorDeps,
  r: { email: string; userId: string; client: ClientContext; now: Date },
): Promise<RiskVerdict<LoginAction> | undefined> {
  try {
    const [history, recent] = await Promise.all([
      accountHistory(deps.db, r.userId, r.client, r.now),
      readLoginRisk(deps.redis, { email: r.email, ip: ipBucket(r.client.ip), userId: r.userId }),
    ]);
    return loginRisk(
      {
        newDevice: !history.knownDevice,
        newCountry: !history.knownCountry,
        newAsn: !history.knownAsn,
        impossibleTravel: impossibleTravel(recent.previousPlace, placeOf(r.client, r.now), deps.config).anomaly,
        accountFailures: recent.accountFailures,
        addressAccounts: recent.addressAccounts,
        suspiciousUserAgent: suspiciousUserAgent(r.client.userAgent) !== undefined,
      },
      deps.config,
    );
  } catch (err) {
    deps.report(err, { source: 'detect', detail: 'login-risk' });
    return undefined;
  }
}

/** A refresh's risk, from the rotation's own view of the session: pure, so it can decide before the answer. */
export function assessRefresh(
  config: SecurityConfig,
  r: { rotation: RefreshedSession; client: ClientContext },
): RiskVerdict<RefreshAction> {
  const { sessionFingerprint, previousCountry, previousAsn } = r.rotation;
  return refreshRisk(
    {
      deviceChanged: sessionFingerprint !== null && sessionFingerprint !== r.client.fingerprint,
      countryChanged: previousCountry !== null && r.client.country !== null && previousCountry !== r.client.country,
      asnChanged: previousAsn !== null && r.client.asn !== null && previousAsn !== r.client.asn,
      suspiciousUserAgent: suspiciousUserAgent(r.client.userAgent) !== undefined,
    },
    config,
  );
}
