/**
 * The detection rules as pure decisions: counters and facts in, verdicts out. No clock, no I/O: the
 * caller gathers the counters (one Redis pipeline) and passes `now`.
 */
import type { SecurityConfig } from './security-config';

/** Fires once, on the request that reaches the threshold (later ones fold into the same alert). */
export const reachesThreshold = (count: number, threshold: number): boolean => count === threshold;

export function bruteForce(failures: number, config: SecurityConfig): boolean {
  return reachesThreshold(failures, config.bruteForce.failures);
}

/**
 * Guessing spread over many addresses: failures against one account from anywhere, counted apart from
 * the (email, IP) budget, which a few guesses per address never fill.
 */
export function distributedBruteForce(accountFailures: number, config: SecurityConfig): boolean {
  return reachesThreshold(accountFailures, config.distributedBruteForce.failures);
}

/** What one address's failures across accounts add up to (counters.ts counts them on each failure). */
export interface AddressFailures {
  /** Distinct emails failing from the address in the short window, and whether this failure added one. */
  distinctAccounts: number;
  newAccount: boolean;
  /** Failures from the address in the day window. */
  dailyFailures: number;
}

export type StuffingVerdict =
  | { detected: false }
  | { detected: true; reason: 'many_accounts'; accounts: number; windowSeconds: number }
  | { detected: true; reason: 'daily_failures'; failures: number; windowSeconds: number };

/**
 * Credential stuffing from one address: many accounts failing (a list, fast or slow), or a day's worth
 * of failures (Auth0 counts 100 failed logins per IP per day). Fires once per window, on the failure
 * that reaches a threshold: a repeat of an account already counted adds nothing.
 */
export function credentialStuffing(f: AddressFailures, config: SecurityConfig): StuffingVerdict {
  const rule = config.credentialStuffing;
  if (f.newAccount && reachesThreshold(f.distinctAccounts, rule.accounts))
    return { detected: true, reason: 'many_accounts', accounts: f.distinctAccounts, windowSeconds: rule.windowSeconds };
  if (reachesThreshold(f.dailyFailures, rule.dailyFailures))
    return {
      detected: true,
      reason: 'daily_failures',
      failures: f.dailyFailures,
      windowSeconds: rule.dailyWindowSeconds,
    };
  return { detected: false };
}

export function accountShouldLock(detections: number, config: SecurityConfig): boolean {
  return detections >= config.accountLock.detections;
}

export function tooManyDevices(distinctDevices: number, config: SecurityConfig): boolean {
  return distinctDevices >= config.multipleDevices.devices;
}

export function rapidRefresh(refreshesInWindow: number, config: SecurityConfig): boolean {
  return reachesThreshold(refreshesInWindow, config.rapidRefresh.refreshes);
}

export function botActivity(requestsInWindow: number, config: SecurityConfig): boolean {
  return reachesThreshold(requestsInWindow, config.bot.requests);
}

export function takeoverSuspected(failuresBeforeSuccess: number, config: SecurityConfig): boolean {
  return failuresBeforeSuccess >= config.accountTakeover.failuresBeforeSuccess;
}

export interface LoginPlace {
  latitude: number | null;
  longitude: number | null;
  country: string | null;
  /** The client network's autonomous system and the Cloudflare data centre (`request.cf`); absent in places stored before issue 13. */
  asn?: number | null;
  colo?: string | null;
  at: number;
}

const EARTH_RADIUS_KM = 6371;
const toRadians = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance (haversine). */
export function distanceKm(
  a: { latitude: number; longitude: number },
  b: { latitude: number; longitude: number },
): number {
  const dLat = toRadians(b.latitude - a.latitude);
  const dLon = toRadians(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(toRadians(a.latitude)) * Math.cos(toRadians(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(h));
}

export type TravelVerdict =
  | { anomaly: false }
  | { anomaly: true; reason: 'impossible_speed'; distanceKm: number; speedKmh: number }
  | { anomaly: true; reason: 'country_change'; from: string; to: string; minutes: number };

/**
 * Whether two places may be the same spot as far as geolocation can tell: served by the same
 * Cloudflare data centre (a client is routed to a colo near it, so a trip changes the colo while a
 * carrier moving its address does not), or either seen through a known VPN or egress network (whose
 * location is the exit's, not the person's).
 */
function indistinguishable(a: LoginPlace, b: LoginPlace, config: SecurityConfig): boolean {
  if (a.colo && b.colo && a.colo === b.colo) return true;
  const egress = config.impossibleTravel.egressAsns;
  return [a.asn, b.asn].some((asn) => asn != null && egress.includes(asn));
}

/**
 * Impossible travel that knows how precise a location is. City-level geolocation is off by tens of
 * kilometres for fixed lines and by a median near 200 km on mobile networks, where a carrier changing
 * the address moves the position 16-22 km within a minute (1,200+ km/h read naively). So a jump within
 * `accuracyKm` is no travel at all, the speed is that of the distance beyond it, and two places the same
 * colo served (or a known egress network) are not compared.
 */
export function impossibleTravel(
  previous: LoginPlace | null,
  current: LoginPlace,
  config: SecurityConfig,
): TravelVerdict {
  if (!previous || current.at <= previous.at) return { anomaly: false };
  if (indistinguishable(previous, current, config)) return { anomaly: false };
  const rule = config.impossibleTravel;
  const elapsedMs = current.at - previous.at;
  let km: number | undefined;
  if (
    previous.latitude !== null &&
    previous.longitude !== null &&
    current.latitude !== null &&
    current.longitude !== null
  ) {
    km = distanceKm(
      previous as { latitude: number; longitude: number },
      current as { latitude: number; longitude: number },
    );
    if (km <= rule.accuracyKm) return { anomaly: false }; // within the error of the positions: a border town, a carrier
    const hours = Math.max(elapsedMs / 3_600_000, 1 / 3600); // a login in the same second: one second apart
    const speed = (km - rule.accuracyKm) / hours;
    if (speed > rule.maxSpeedKmh) {
      return { anomaly: true, reason: 'impossible_speed', distanceKm: Math.round(km), speedKmh: Math.round(speed) };
    }
  }
  if (
    previous.country &&
    current.country &&
    previous.country !== current.country &&
    elapsedMs < rule.countryChangeSeconds * 1000
  ) {
    return {
      anomaly: true,
      reason: 'country_change',
      from: previous.country,
      to: current.country,
      minutes: Math.round(elapsedMs / 60_000),
    };
  }
  return { anomaly: false };
}

const TOOL_PATTERNS = [
  /\bcurl\//i,
  /\bwget\//i,
  /python-requests/i,
  /python-urllib/i,
  /\baiohttp\//i,
  /\bhttpx\//i,
  /go-http-client/i,
  /\bokhttp\//i,
  /java\/\d/i,
  /libwww-perl/i,
  /\bscrapy\b/i,
  /sqlmap/i,
  /nikto/i,
  /nmap/i,
  /masscan/i,
  /zgrab/i,
  /nuclei/i,
  /dirbuster/i,
  /gobuster/i,
  /wpscan/i,
  /headlesschrome/i,
  /phantomjs/i,
  /puppeteer/i,
  /playwright/i,
  /selenium/i,
  /postmanruntime/i,
  /insomnia/i,
  /\bhttpie\//i,
];

/** Empty, or a known tool, scanner or headless browser. Returns what matched, or undefined. */
export function suspiciousUserAgent(userAgent: string | null): string | undefined {
  if (!userAgent || userAgent.trim() === '') return 'empty';
  const hit = TOOL_PATTERNS.find((pattern) => pattern.test(userAgent));
  return hit ? hit.source.replace(/\\[a-z/]|\\/g, '') : undefined;
}
