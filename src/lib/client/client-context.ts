/**
 * What we know of the client making a request: its IP (CF-Connecting-IP, set by Cloudflare's edge),
 * user agent, location from `request.cf`, and a device fingerprint from stable request traits.
 */
export interface ClientContext {
  ip: string | null;
  userAgent: string | null;
  country: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
  /** The client network's autonomous system and the Cloudflare data centre that took the request. */
  asn: number | null;
  colo: string | null;
  fingerprint: string;
}

import { sha256Hex } from '../sha256';

const MAX_USER_AGENT = 512;

function cfNumber(value: unknown): number | null {
  if (typeof value === 'string' && value.trim() === '') return null; // Number('') is 0: a real place
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/** Public ASNs fit a Postgres integer; anything else (private 32-bit ASNs, junk) is not worth storing. */
function cfAsn(value: unknown): number | null {
  const n = cfNumber(value);
  return n !== null && Number.isInteger(n) && n >= 0 && n <= 2_147_483_647 ? n : null;
}

function cfString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

const FAMILIES = ['Edg', 'OPR', 'Firefox', 'Chrome', 'Safari', 'curl', 'Wget', 'python-requests', 'okhttp'].map(
  (family) => ({ family, version: new RegExp(`${family}/(\\d+)`) }),
);

/** Browser family and major version only: minor updates must not look like a new device. */
export function userAgentFamily(userAgent: string): string {
  for (const { family, version } of FAMILIES) {
    const match = version.exec(userAgent);
    if (match) return `${family}/${match[1]}`;
  }
  return userAgent.slice(0, 64);
}

/**
 * Fingerprints of the traits seen lately, per isolate: every request needs one and most come from a few
 * browsers, so the hash per request (a refresh's second CPU cost after its signature, npm run
 * bench:profile refresh) is mostly a lookup. Bounded: the oldest leaves first.
 */
const FINGERPRINTS_KEPT = 1024;
const fingerprints = new Map<string, Promise<string>>();

/** Not the IP: a phone moving between networks is still the same device. */
export function deviceFingerprint(headers: Headers): Promise<string> {
  const traits = [
    userAgentFamily(headers.get('user-agent') ?? ''),
    (headers.get('accept-language') ?? '').split(',')[0] ?? '',
    headers.get('sec-ch-ua-platform') ?? '',
    headers.get('sec-ch-ua-mobile') ?? '',
  ].join('|');
  let fingerprint = fingerprints.get(traits);
  if (!fingerprint) {
    if (fingerprints.size >= FINGERPRINTS_KEPT) fingerprints.delete(fingerprints.keys().next().value!);
    fingerprint = sha256Hex(traits).then((hex) => hex.slice(0, 32));
    fingerprints.set(traits, fingerprint);
  }
  return fingerprint;
}

export async function clientContext(request: Request): Promise<ClientContext> {
  const cf = (request as Request & { cf?: Record<string, unknown> }).cf ?? {};
  const userAgent = request.headers.get('user-agent');
  return {
    ip: request.headers.get('cf-connecting-ip'),
    userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT) : null,
    country: cfString(cf.country),
    city: cfString(cf.city),
    latitude: cfNumber(cf.latitude),
    longitude: cfNumber(cf.longitude),
    asn: cfAsn(cf.asn),
    colo: cfString(cf.colo),
    fingerprint: await deviceFingerprint(request.headers),
  };
}
