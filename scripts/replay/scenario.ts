/**
 * The replay's traffic, generated from a seed (issue 13): ordinary users (at home on IPv4, on IPv6
 * taking a new address in their /64 per request, an office of people behind one address, a campus
 * behind another, and phones whose carrier changes their address and city-level position) and attack
 * episodes of nine kinds. Pure: the same seed gives the same scenario; the runner
 * (tests/replay/replay.test.ts) plays it against the Worker with `request.cf` set per request, and
 * score.ts turns what happened into the three figures.
 */

/** Where a request comes from, as `request.cf` and CF-Connecting-IP say. */
export interface Origin {
  ip: string;
  userAgent: string;
  cf: { country: string; city: string; latitude: number; longitude: number; asn: number; colo: string };
}

export type Step =
  | { at: number; kind: 'login'; email: string; password: string; origin: Origin; goal?: boolean }
  | { at: number; kind: 'refresh'; origin: Origin; stolenFrom?: string; goal?: boolean }
  | { at: number; kind: 'me'; origin: Origin; stolenFrom?: string; goal?: boolean };

export interface Account {
  email: string;
  password: string;
  /** Where the account signed up (its known device, country and network), before the replay starts. */
  home: Origin;
}

export type BenignGroup = 'home' | 'ipv6' | 'office' | 'campus' | 'mobile';
export const ATTACK_KINDS = [
  'brute_force',
  'distributed_brute_force',
  'stuffing_fast',
  'stuffing_slow',
  'stuffing_ipv6',
  'botnet_stuffing',
  'impossible_travel_takeover',
  'stolen_refresh_token',
  'bearer_bot',
] as const;
export type AttackKind = (typeof ATTACK_KINDS)[number];

export interface BenignActor {
  role: 'benign';
  id: string;
  group: BenignGroup;
  account: Account;
  steps: Step[];
}

export interface AttackEpisode {
  role: 'attack';
  id: string;
  kind: AttackKind;
  /** Accounts the attack is after (signed up by their owners before the replay). */
  victims: Account[];
  /**
   * Steps of the owners during the attack (an owner signing in at home before the impossible trip),
   * played like a benign user's but not scored as one.
   */
  ownerSteps: Step[];
  steps: Step[];
  /**
   * How many successful goal steps make the attack a success: 1 for a login or a refresh that gets
   * in; for a Bearer bot, the volume it came for.
   */
  successAfter: number;
}

export interface Scenario {
  seed: number;
  durationMs: number;
  benign: BenignActor[];
  attacks: AttackEpisode[];
}

export interface ScenarioSize {
  durationMs: number;
  groups: Record<BenignGroup, number>;
  /** Episodes per attack kind. */
  perKind: number;
}

/** The replay: ten minutes, 220 ordinary users, 9 kinds of attack, 10 episodes each (90) plus 2. */
export const FULL: ScenarioSize = {
  durationMs: 600_000,
  groups: { home: 80, ipv6: 40, office: 20, campus: 40, mobile: 40 },
  perKind: 10,
};

/**
 * The ten minutes and 220 users with 3 episodes per kind (27): what one local workerd isolate on
 * a shared 2-core machine can play in real time (FULL's ~2,600 password hashes in ten minutes cannot).
 */
export const MEDIUM: ScenarioSize = { ...FULL, perKind: 3 };

/** The CI version: one minute, 30 users, one episode per kind (a "slow" list is not slow in it). */
export const SMALL: ScenarioSize = {
  durationMs: 60_000,
  groups: { home: 6, ipv6: 4, office: 10, campus: 4, mobile: 6 },
  perKind: 1,
};

/** mulberry32: a small seeded PRNG, enough for traffic shapes. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36',
];
const ATTACK_TOOLS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'python-requests/2.31.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Firefox/115.0',
];

const CITIES = [
  { country: 'DE', city: 'Berlin', latitude: 52.52, longitude: 13.405, asn: 3320, colo: 'TXL' },
  { country: 'FR', city: 'Paris', latitude: 48.857, longitude: 2.352, asn: 3215, colo: 'CDG' },
  { country: 'GB', city: 'London', latitude: 51.507, longitude: -0.128, asn: 2856, colo: 'LHR' },
  { country: 'US', city: 'Chicago', latitude: 41.878, longitude: -87.63, asn: 7922, colo: 'ORD' },
  { country: 'NL', city: 'Amsterdam', latitude: 52.37, longitude: 4.895, asn: 1136, colo: 'AMS' },
];
const FAR_AWAY = [
  { country: 'BR', city: 'Sao Paulo', latitude: -23.55, longitude: -46.63, asn: 28573, colo: 'GRU' },
  { country: 'VN', city: 'Hanoi', latitude: 21.03, longitude: 105.85, asn: 45899, colo: 'HAN' },
  { country: 'NG', city: 'Lagos', latitude: 6.52, longitude: 3.38, asn: 29465, colo: 'LOS' },
  { country: 'RU', city: 'Moscow', latitude: 55.75, longitude: 37.62, asn: 12389, colo: 'DME' },
];
const MOBILE_ASN = 26615; // one carrier for the mobile group

/**
 * Addresses are drawn from 198.18.0.0/15 (benchmarking space, never a test's 10.x) and
 * 2001:db8::/32, with the run's nonce in them so two runs on one stack never share one.
 */
function addresses(nonce: number) {
  let next = (nonce * 7919) % 120_000;
  const v4 = () => {
    next += 1;
    return `198.${18 + ((next >> 16) & 1)}.${(next >> 8) & 255}.${next & 255}`;
  };
  let net = nonce % 60_000;
  const v6net = () => {
    net += 1;
    return `2001:db8:${(net & 0xffff).toString(16)}:${((nonce >> 3) & 0xffff).toString(16)}`;
  };
  return { v4, v6net };
}

export function generate(seed: number, size: ScenarioSize, nonce = seed): Scenario {
  const random = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const int = (lo: number, hi: number) => Math.floor(between(lo, hi + 1));
  const { v4, v6net } = addresses(nonce);
  const D = size.durationMs;
  let n = 0;
  const account = (label: string, home: Origin): Account => ({
    email: `replay-${nonce}-${label}-${(n += 1)}@example.com`,
    password: `pw-${nonce}-${n}-${Math.floor(random() * 1e9)}`,
    home,
  });
  const wrong = () => `guess-${Math.floor(random() * 1e9)}`;
  const at = (origin: Origin, patch: Partial<Origin> = {}): Origin => ({ ...origin, ...patch });

  const benign: BenignActor[] = [];
  const officeIp = v4();
  const officeCity = pick(CITIES);
  const campusIp = v4();
  const campusCity = pick(CITIES);
  for (const group of Object.keys(size.groups) as BenignGroup[]) {
    for (let i = 0; i < size.groups[group]; i += 1) {
      const city = group === 'office' ? officeCity : group === 'campus' ? campusCity : pick(CITIES);
      const net = group === 'ipv6' ? v6net() : '';
      const home: Origin = {
        ip: group === 'office' ? officeIp : group === 'campus' ? campusIp : group === 'ipv6' ? `${net}::1` : v4(),
        userAgent: pick(BROWSERS),
        cf: group === 'mobile' ? { ...city, asn: MOBILE_ASN } : { ...city },
      };
      const acct = account(group, home);
      const steps: Step[] = [];
      // Where this request comes from: IPv6 takes a new address in its /64; a phone gets a new carrier
      // address and a city-level position 16-22 km away (the same colo half the time).
      const origin = (): Origin => {
        if (group === 'ipv6') return at(home, { ip: `${net}::${int(2, 65_000).toString(16)}` });
        if (group !== 'mobile') return home;
        const km = between(16, 22);
        const angle = between(0, 2 * Math.PI);
        return at(home, {
          ip: v4(),
          cf: {
            ...home.cf,
            latitude: home.cf.latitude + (km / 111) * Math.sin(angle),
            longitude:
              home.cf.longitude + (km / (111 * Math.cos((home.cf.latitude * Math.PI) / 180))) * Math.cos(angle),
            colo: random() < 0.5 ? home.cf.colo : `${home.cf.colo}2`,
          },
        });
      };
      const logins = int(1, 3);
      for (let l = 0; l < logins; l += 1) {
        let t = between(0, D * 0.9);
        const from = origin();
        if (random() < 0.12) {
          steps.push({ at: t, kind: 'login', email: acct.email, password: wrong(), origin: from }); // a typo
          t += between(2_000, 8_000);
        }
        steps.push({ at: t, kind: 'login', email: acct.email, password: acct.password, origin: from });
        for (let k = int(1, 5); k > 0; k -= 1) steps.push({ at: t + between(1_000, 30_000), kind: 'me', origin: from });
        if (random() < 0.4) steps.push({ at: t + between(5_000, 60_000), kind: 'refresh', origin: origin() });
      }
      benign.push({
        role: 'benign',
        id: `${group}-${i}`,
        group,
        account: acct,
        steps: steps.sort((a, b) => a.at - b.at),
      });
    }
  }

  const attacks: AttackEpisode[] = [];
  const victimOf = (label: string) => account(label, { ip: v4(), userAgent: pick(BROWSERS), cf: { ...pick(CITIES) } });
  const attacker = (ip = v4()): Origin => ({ ip, userAgent: pick(ATTACK_TOOLS), cf: { ...pick(FAR_AWAY) } });
  /** `total` guesses at `victim`, the right password at a random position from `earliest` on. */
  const guesses = (victim: Account, total: number, earliest: number) => {
    const right = int(earliest, total);
    return Array.from({ length: total }, (_, g) => (g + 1 === right ? victim.password : wrong()));
  };
  /** A list of `size` pairs from one origin, 1-2 of them right (reused passwords). */
  const list = (victims: Account[], length: number) => {
    const pairs = Array.from({ length }, () => ({
      email: `replay-${nonce}-list-${(n += 1)}@example.com`,
      password: wrong(),
    }));
    for (const v of victims) pairs[int(0, length - 1)] = { email: v.email, password: v.password };
    return pairs;
  };

  const kinds = [...ATTACK_KINDS];
  const episodes = kinds.flatMap((kind) => Array.from({ length: size.perKind }, () => kind));
  if (size === FULL) episodes.push('brute_force', 'stuffing_fast'); // 92, as the replay
  episodes.forEach((kind, e) => {
    const start = between(0, D * 0.5);
    const id = `${kind}-${e}`;
    const steps: Step[] = [];
    const ownerSteps: Step[] = [];
    let victims: Account[] = [];
    let successAfter = 1;
    switch (kind) {
      case 'brute_force': {
        const v = victimOf('bf');
        victims = [v];
        const from = attacker();
        guesses(v, 20, 3).forEach((password, g) =>
          steps.push({ at: start + g * 3_000, kind: 'login', email: v.email, password, origin: from, goal: true }),
        );
        break;
      }
      case 'distributed_brute_force': {
        const v = victimOf('dbf');
        victims = [v];
        const origins = Array.from({ length: 15 }, () => attacker());
        const all = guesses(v, origins.length * 3 + int(0, 15), 5);
        all.forEach((password, g) =>
          steps.push({
            at: start + g * 4_000,
            kind: 'login',
            email: v.email,
            password,
            origin: origins[g % origins.length] as Origin,
            goal: true,
          }),
        );
        break;
      }
      case 'stuffing_fast':
      case 'stuffing_slow':
      case 'stuffing_ipv6':
      case 'botnet_stuffing': {
        victims = [victimOf('st'), ...(random() < 0.5 ? [victimOf('st')] : [])];
        const pairs = list(victims, 30);
        const net = v6net();
        const one = attacker(kind === 'stuffing_ipv6' ? `${net}::1` : undefined);
        const botnet = Array.from({ length: 15 }, () => attacker());
        const gap = kind === 'stuffing_slow' ? (D * 0.95 - start) / 30 : 2_000;
        pairs.forEach((pair, p) => {
          const origin =
            kind === 'stuffing_ipv6'
              ? at(one, { ip: `${net}::${(p + 2).toString(16)}` })
              : kind === 'botnet_stuffing'
                ? (botnet[p % botnet.length] as Origin)
                : one;
          steps.push({
            at: start + p * gap,
            kind: 'login',
            ...pair,
            origin,
            goal: victims.some((v) => v.email === pair.email),
          });
        });
        break;
      }
      case 'impossible_travel_takeover': {
        const v = victimOf('travel');
        victims = [v];
        ownerSteps.push({ at: start, kind: 'login', email: v.email, password: v.password, origin: v.home });
        // A phished password, tried from another continent minutes later, in a normal browser.
        const from: Origin = {
          ip: v4(),
          userAgent: pick(BROWSERS.filter((b) => b !== v.home.userAgent)),
          cf: { ...pick(FAR_AWAY) },
        };
        steps.push({
          at: start + between(60_000, 180_000),
          kind: 'login',
          email: v.email,
          password: v.password,
          origin: from,
          goal: true,
        });
        break;
      }
      case 'stolen_refresh_token': {
        const v = victimOf('refresh');
        victims = [v];
        const from: Origin = { ip: v4(), userAgent: pick(ATTACK_TOOLS), cf: { ...pick(FAR_AWAY) } };
        steps.push({ at: start, kind: 'refresh', origin: from, stolenFrom: v.email, goal: true });
        break;
      }
      case 'bearer_bot': {
        const v = victimOf('bot');
        victims = [v];
        const from = attacker();
        // Hundreds of calls a minute with a valid token: it came for volume (150 answered calls).
        for (let c = 0; c < 300; c += 1)
          steps.push({ at: start + c * 200, kind: 'me', origin: from, stolenFrom: v.email, goal: true });
        successAfter = 150;
        break;
      }
    }
    attacks.push({ role: 'attack', id, kind, victims, ownerSteps, steps, successAfter });
  });
  return { seed, durationMs: D, benign, attacks };
}
