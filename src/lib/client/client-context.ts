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
 * Fingerprints of the headers seen lately, per isolate: every request needs one and most come from a few
 * browsers, so the hash per request (a refresh's second CPU cost after its signature, npm run
 * bench:profile refresh) is mostly a lookup. Keyed by the raw headers, so a hit skips the user-agent
 * patterns too. Bounded: the oldest leaves first.
 */
const FINGERPRINTS_KEPT = 1024;
const MAX_KEPT_KEY = 1024;
const fingerprints = new Map<string, Promise<string>>();

/** Not the IP: a phone moving between networks is still the same device. */
export function deviceFingerprint(headers: Headers): Promise<string> {
  const userAgent = headers.get('user-agent') ?? '';
  const language = headers.get('accept-language') ?? '';
  const platform = headers.get('sec-ch-ua-platform') ?? '';
  const mobile = headers.get('sec-ch-ua-mobile') ?? '';
  // NUL cannot occur in a header value, so it cannot make two sets of headers one key.
  const seen = `${userAgent}\0${language}\0${platform}\0${mobile}`;
  let fingerprint = fingerprints.get(seen);
  if (!fingerprint) {
    const traits = [userAgentFamily(userAgent), language.split(',')[0] ?? '', platform, mobile].join('|');
    fingerprint = sha256Hex(traits).then((hex) => hex.slice(0, 32));
    if (seen.length > MAX_KEPT_KEY) return fingerprint; // not worth the memory; still the same fingerprint
    if (fingerprints.size >= FINGERPRINTS_KEPT) fingerprints.delete(fingerprints.keys().next().value!);
    fingerprints.set(seen, fingerprint);
  }
  return fingerprint;
}

type Place = Pick<ClientContext, 'country' | 'city' | 'latitude' | 'longitude' | 'asn' | 'colo'>;

/**
 * Where the request came from, read from `request.cf` on first use: the runtime parses and freezes the
 * whole cf object on that read (about 80 µs, npm run bench:profile me), which a Bearer call that
 * records nothing never needs.
 */
class RequestClient implements ClientContext {
  readonly ip: string | null;
  readonly userAgent: string | null;
  #place: Place | undefined;

  constructor(
    private readonly request: Request,
    readonly fingerprint: string,
  ) {
    this.ip = request.headers.get('cf-connecting-ip');
    const userAgent = request.headers.get('user-agent');
    this.userAgent = userAgent ? userAgent.slice(0, MAX_USER_AGENT) : null;
  }

  get country() {
    return this.place().country;
  }
  get city() {
    return this.place().city;
  }
  get latitude() {
    return this.place().latitude;
  }
  get longitude() {
    return this.place().longitude;
  }
  get asn() {
    return this.place().asn;
  }
  get colo() {
    return this.place().colo;
  }

  private place(): Place {
    if (this.#place) return this.#place;
    const cf = (this.request as Request & { cf?: Record<string, unknown> }).cf ?? {};
    this.#place = {
      country: cfString(cf.country),
      city: cfString(cf.city),
      latitude: cfNumber(cf.latitude),
      longitude: cfNumber(cf.longitude),
      asn: cfAsn(cf.asn),
      colo: cfString(cf.colo),
    };
    return this.#place;
  }
}

export async function clientContext(request: Request): Promise<ClientContext> {
  return new RequestClient(request, await deviceFingerprint(request.headers));
}
