/**
 * What happens after an auth outcome: counters bumped (one Redis pipeline), rules decided (pure,
 * rules.ts), actions taken (block an IP, lock an account) and events recorded. Detection never fails
 * an auth flow: when Redis cannot answer, the error is reported and the flow goes on.
 */
import type { ReportError } from '../http/error-handler';
import type { Redis } from '../storage/redis';
import type { Database } from '../storage/database';
import type { RequestEvents } from '../events/event-log';
import type { ClientContext } from '../client/client-context';
import type { SecurityConfig } from './security-config';
import {
  accountShouldLock,
  bruteForce,
  credentialStuffing,
  distributedBruteForce,
  impossibleTravel,
  rapidRefresh,
  takeoverSuspected,
  tooManyDevices,
  type StuffingVerdict,
} from './rules';
import type { LoginAction, RefreshAction, RiskVerdict } from './risk';
import { assessLogin, assessRefresh, placeOf, type RefreshedSession } from './risk-assessment';
import { countBruteForceDetection, countLoginFailure, recordLogin, resetBruteForceDetections } from './counters';
import { blockIp } from './ip-blocklist';
import { lockPasswordLogins } from '../accounts/account-lock';
import { guardAddress } from './address-guard';
import { ipBucket } from '../client/ip-bucket';

export interface DetectorDeps {
  redis: Redis;
  /**
   * For the checks that run after the response (login success, refresh), with a longer deadline: no
   * one waits for them, and a deadline there would count the time the isolate spent on other
   * requests' password hashes (npm run bench:login-burst), skipping the check for no outage at all.
   */
  afterResponseRedis?: Redis;
  db: Database;
  config: SecurityConfig;
  report: ReportError;
}

async function guarded(deps: DetectorDeps, what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    deps.report(err, { source: 'detect', detail: what });
  }
}

export function onLoginFailure(
  deps: DetectorDeps,
  events: RequestEvents,
  r: { email: string; userId: string | null; client: ClientContext; now: Date },
) {
  return guarded(deps, 'login-failure', async () => {
    const ip = ipBucket(r.client.ip);
    const counts = await countLoginFailure(deps.redis, { email: r.email, ip, config: deps.config });
    const stuffing = credentialStuffing(counts, deps.config);
    if (stuffing.detected) await guardAgainstStuffing(deps, events, { ip, verdict: stuffing, now: r.now });
    if (r.userId && distributedBruteForce(counts.accountFailures, deps.config))
      await lockAgainstGuessing(deps, events, {
        userId: r.userId,
        reason: 'distributed_brute_force',
        details: { failures: counts.accountFailures, windowSeconds: deps.config.distributedBruteForce.windowSeconds },
        now: r.now,
      });
    if (!bruteForce(counts.pairFailures, deps.config)) return;
    const block = await blockIp(deps.redis, ip, 'brute_force', deps.config.bruteForce.blockSeconds, r.now);
    events.record('brute_force_detected', {
      userId: r.userId,
      alert: true,
      metadata: { failures: counts.pairFailures, windowSeconds: deps.config.bruteForce.windowSeconds },
    });
    events.record('ip_address_blocked', {
      userId: r.userId,
      metadata: { reason: 'brute_force', until: new Date(block.until).toISOString() },
    });
    if (!r.userId) return;
    const detections = await countBruteForceDetection(deps.redis, { userId: r.userId, config: deps.config });
    if (!accountShouldLock(detections, deps.config)) return;
    await resetBruteForceDetections(deps.redis, r.userId); // the next lock takes as many detections again
    await lockAgainstGuessing(deps, events, {
      userId: r.userId,
      reason: 'repeated_brute_force',
      details: { detections },
      now: r.now,
    });
  });
}

/**
 * Credential stuffing from an address: guard it (address-guard.ts) rather than block it, so the
 * people behind a shared address who sign in on their own devices go on; `credential_stuffing_detected`
 * and an alert on the address.
 */
async function guardAgainstStuffing(
  deps: DetectorDeps,
  events: RequestEvents,
  r: { ip: string; verdict: Extract<StuffingVerdict, { detected: true }>; now: Date },
) {
  const { detected: _detected, ...details } = r.verdict;
  const guard = await guardAddress(
    deps.redis,
    r.ip,
    'credential_stuffing',
    deps.config.credentialStuffing.guardSeconds,
    r.now,
  );
  events.record('credential_stuffing_detected', {
    alert: true,
    metadata: {
      ...details,
      action: 'password_logins_from_unknown_devices_refused',
      until: new Date(guard.until).toISOString(),
    },
  });
}

/**
 * An account under guessing: its password logins are locked (BRUTE_FORCE_LOCK) for accountLock.lockSeconds,
 * except from its known devices, so whoever knows only the email cannot lock the owner out. An operator's
 * lock in force is left as it is. `distributed_brute_force_detected` (its own alert) when the guesses came
 * from many addresses; `user_account_locked` either way.
 */
async function lockAgainstGuessing(
  deps: DetectorDeps,
  events: RequestEvents,
  r: { userId: string; reason: 'distributed_brute_force' | 'repeated_brute_force'; details: object; now: Date },
) {
  const until = new Date(r.now.getTime() + deps.config.accountLock.lockSeconds * 1000);
  const locked = await lockPasswordLogins(deps.db, r.userId, until, r.now);
  if (r.reason === 'distributed_brute_force')
    events.record('distributed_brute_force_detected', {
      userId: r.userId,
      alert: true,
      metadata: { ...r.details, locked, until: until.toISOString() },
    });
  if (!locked) return; // another lock (an operator's) is in force and stays as it is
  events.record('user_account_locked', {
    userId: r.userId,
    alert: r.reason === 'repeated_brute_force', // the distributed detection raised its own alert
    metadata: {
      reason: r.reason,
      ...r.details,
      until: until.toISOString(),
      refuses: 'password_logins_from_unknown_devices',
    },
  });
}

export function onLoginSuccess(
  deps: DetectorDeps,
  events: RequestEvents,
  r: { email: string; userId: string; client: ClientContext; now: Date },
) {
  return guarded(deps, 'login-success', async () => {
    const place = placeOf(r.client, r.now);
    const { distinctDevices, newDevice, previousPlace, failuresBefore } = await recordLogin(deps.redis, {
      email: r.email,
      ip: ipBucket(r.client.ip),
      userId: r.userId,
      fingerprint: r.client.fingerprint,
      place,
      config: deps.config,
      now: r.now,
    });
    if (takeoverSuspected(failuresBefore, deps.config)) {
      events.record('account_takeover_attempt', {
        userId: r.userId,
        alert: true,
        metadata: { failuresBefore, reason: 'login_after_failures_from_same_ip' },
      });
    }
    // Once per device that brings the count to the threshold or past it, not on every later login.
    if (newDevice && tooManyDevices(distinctDevices, deps.config)) {
      events.record('multiple_device_login', {
        userId: r.userId,
        metadata: { devices: distinctDevices, windowSeconds: deps.config.multipleDevices.windowSeconds },
      });
    }
    const travel = impossibleTravel(previousPlace, place, deps.config);
    if (travel.anomaly) {
      const { anomaly: _anomaly, ...details } = travel;
      events.record('geographic_anomaly', {
        userId: r.userId,
        alert: true,
        metadata: { ...details, previousCountry: previousPlace?.country ?? null },
      });
    }
  });
}

export function onRefresh(
  deps: DetectorDeps,
  events: RequestEvents,
  r: { rotation: RefreshedSession; client: ClientContext; risk: RiskVerdict<RefreshAction>; now: Date },
) {
  const { sessionId, userId, tokenId, sessionFingerprint, previousCountry } = r.rotation;
  return guarded(deps, 'refresh', async () => {
    const fingerprintChanged = sessionFingerprint !== null && sessionFingerprint !== r.client.fingerprint;
    const risk = { score: r.risk.score, level: r.risk.level, signals: r.risk.signals, action: r.risk.action };
    if (fingerprintChanged) {
      events.record('device_fingerprint_mismatch', { userId, tokenId, metadata: { sessionId, risk } });
      const countryChanged =
        previousCountry !== null && r.client.country !== null && previousCountry !== r.client.country;
      if (countryChanged) {
        events.record('suspicious_token_usage', {
          userId,
          tokenId,
          alert: true,
          metadata: {
            sessionId,
            signals: ['device_fingerprint_mismatch', 'country_change'],
            from: previousCountry,
            to: r.client.country,
            risk,
          },
        });
      }
    }
    // A verdict the policy asks to alert on that the rules above did not already raise.
    if (r.risk.action !== 'allow' && !(fingerprintChanged && r.risk.signals.includes('countryChanged')))
      events.record('suspicious_token_usage', {
        userId,
        tokenId,
        alert: true,
        metadata: { sessionId, signals: r.risk.signals, risk },
      });
    if (r.risk.action === 'end_session') return; // the session is over: nothing more to say of it
    // Counted by the rotation statement itself (sessions.refreshes_in_window): no round trip of its own.
    const refreshes = r.rotation.refreshesInWindow ?? 0;
    if (rapidRefresh(refreshes, deps.config)) {
      events.record('rapid_token_refresh', {
        userId,
        tokenId,
        alert: true,
        metadata: { sessionId, refreshes, windowSeconds: deps.config.rapidRefresh.windowSeconds },
      });
    }
  });
}

/** The detector bound to its dependencies, as routes use it; `noDetection` turns it off (benchmarks only). */
export interface Detect {
  loginRisk: (r: Parameters<typeof assessLogin>[1]) => Promise<RiskVerdict<LoginAction> | undefined>;
  refreshRisk: (r: Parameters<typeof assessRefresh>[1]) => RiskVerdict<RefreshAction> | undefined;
  loginFailure: (events: RequestEvents, r: Parameters<typeof onLoginFailure>[2]) => Promise<void>;
  loginSuccess: (events: RequestEvents, r: Parameters<typeof onLoginSuccess>[2]) => Promise<void>;
  refresh: (
    events: RequestEvents,
    r: Omit<Parameters<typeof onRefresh>[2], 'risk'> & { risk: RiskVerdict<RefreshAction> | undefined },
  ) => Promise<void>;
}

export function bindDetector(deps: DetectorDeps): Detect {
  const afterResponse = { ...deps, redis: deps.afterResponseRedis ?? deps.redis };
  return {
    loginRisk: (r) => assessLogin(deps, r),
    refreshRisk: (r) => assessRefresh(deps.config, r),
    loginFailure: (events, r) => onLoginFailure(deps, events, r),
    loginSuccess: (events, r) => onLoginSuccess(afterResponse, events, r),
    refresh: (events, r) => onRefresh(afterResponse, events, { ...r, risk: r.risk ?? assessRefresh(deps.config, r) }),
  };
}

export const noDetection: Detect = {
  loginRisk: async () => undefined,
  refreshRisk: () => undefined,
  loginFailure: async () => {},
  loginSuccess: async () => {},
  refresh: async () => {},
};
