/**
 * Every number of the detection rules and rate limits, with the contract's defaults. Any of them can
 * be overridden with the SECURITY_CONFIG variable (JSON, partial: only what differs).
 */
import { z } from 'zod';

const count = (n: number) => z.number().int().min(1).default(n);
const weight = (n: number) => z.number().int().min(0).max(100).default(n);
const seconds = (n: number) => z.number().int().min(1).default(n);

type LimitKey = 'ip' | 'ip+user-agent' | 'ip+email' | 'global';

const limit = (requests: number, windowSeconds: number, defaultKey: LimitKey = 'ip') =>
  z
    .object({
      requests: count(requests),
      windowSeconds: seconds(windowSeconds),
      /**
       * What the limit is counted per: the client IP, the IP and user agent, the IP and the email a
       * login names (taken by the route once the body is read; elsewhere as `ip`), or all clients together.
       */
      key: z.enum(['ip', 'ip+user-agent', 'ip+email', 'global']).default(defaultKey),
    })
    .prefault({});

export const securityConfigSchema = z.object({
  bruteForce: z.object({ failures: count(5), windowSeconds: seconds(300), blockSeconds: seconds(3600) }).prefault({}),
  /**
   * Failed logins against one account from any addresses (distributed guessing: many addresses, a few
   * guesses each, so no (email, IP) budget fills). Action: the account's password logins are locked
   * for `accountLock.lockSeconds`, except from its known devices.
   */
  distributedBruteForce: z.object({ failures: count(10), windowSeconds: seconds(3600) }).prefault({}),
  /**
   * Failed logins from one address across accounts (credential stuffing): `accounts` distinct emails
   * failing within `windowSeconds` (fast and low-and-slow lists), or `dailyFailures` failures in a day
   * (Auth0's suspicious-IP throttling counts 100 per IP per day). Action: the address is guarded for
   * `guardSeconds`: a password login from it succeeds only on a device the account already knows.
   */
  credentialStuffing: z
    .object({
      accounts: count(5),
      windowSeconds: seconds(600),
      dailyFailures: count(100),
      dailyWindowSeconds: seconds(86_400),
      guardSeconds: seconds(3600),
    })
    .prefault({}),
  accountLock: z
    .object({ detections: count(3), windowSeconds: seconds(86_400), lockSeconds: seconds(1800) })
    .prefault({}),
  multipleDevices: z.object({ devices: count(3), windowSeconds: seconds(3600) }).prefault({}),
  rapidRefresh: z.object({ refreshes: count(10), windowSeconds: seconds(600) }).prefault({}),
  /**
   * Requests from one IP to one route. Above every per-IP limit (signup 50, login failures 60), so an
   * address that keeps to its limits is never taken for a bot.
   */
  bot: z.object({ requests: count(120), windowSeconds: seconds(60), blockSeconds: seconds(1800) }).prefault({}),
  /** A good login from an IP that just failed this many times for the account: a guessed password? */
  accountTakeover: z.object({ failuresBeforeSuccess: count(3) }).prefault({}),
  impossibleTravel: z
    .object({
      maxSpeedKmh: count(1000),
      countryChangeSeconds: seconds(3600),
      /** How far apart two city-level positions may be and still be one place (mobile networks: median error near 200 km). */
      accuracyKm: z.number().int().min(0).default(200),
      /** Known VPN or egress networks (ASNs) whose location is the exit's, not the person's: never compared. */
      egressAsns: z.array(z.number().int().min(0)).max(1000).default([]),
    })
    .prefault({}),
  /**
   * The risk verdict of each login and refresh (risk.ts): signal weights add up to a score (0-100),
   * `levels` cut it into low, medium and high, and each level's action is the policy's. A login's
   * `refuse` never applies to a device the account knows.
   */
  risk: z
    .object({
      loginWeights: z
        .object({
          newDevice: weight(25),
          newCountry: weight(20),
          newAsn: weight(10),
          impossibleTravel: weight(35),
          accountFailures: weight(25),
          addressFailures: weight(25),
          suspiciousUserAgent: weight(20),
        })
        .prefault({}),
      refreshWeights: z
        .object({
          deviceChanged: weight(35),
          countryChanged: weight(30),
          asnChanged: weight(10),
          suspiciousUserAgent: weight(20),
        })
        .prefault({}),
      /** Recent failures that make a login riskier: on the account (any address), and distinct accounts from the address. */
      accountFailures: count(3),
      addressAccounts: count(3),
      levels: z.object({ medium: weight(40), high: weight(60) }).prefault({}),
      loginPolicy: z
        .object({
          low: z.enum(['allow', 'alert', 'refuse']).default('allow'),
          medium: z.enum(['allow', 'alert', 'refuse']).default('alert'),
          high: z.enum(['allow', 'alert', 'refuse']).default('refuse'),
        })
        .prefault({}),
      refreshPolicy: z
        .object({
          low: z.enum(['allow', 'alert', 'end_session']).default('allow'),
          medium: z.enum(['allow', 'alert', 'end_session']).default('alert'),
          high: z.enum(['allow', 'alert', 'end_session']).default('end_session'),
        })
        .prefault({}),
    })
    .prefault({}),
  rateLimits: z
    .object({
      /**
       * Per (IP, email): people behind one address (an office, a campus NAT, a carrier's CGNAT) do not
       * share a budget; guessing one account from one address is the brute-force rule's (5 failures).
       */
      login: limit(10, 60, 'ip+email'),
      /**
       * Failed logins per IP, whatever the email: the ceiling above the per-(IP, email) limits. Only a
       * failure takes a slot, so people who sign in correctly are not slowed by others' failures behind
       * their address; once it is full, every login from the address waits (429) until a slot frees.
       */
      loginFailures: limit(60, 60),
      /** An office onboarding signs its people up from one address (Auth0 allows 50 per IP a minute). */
      signup: limit(50, 60),
      refresh: limit(10, 60),
      google: limit(5, 60),
      logout: limit(20, 60),
      /**
       * Refused tokens on the Bearer routes together (me, sessions, logout-all), per IP: they are not
       * refused for a blocked IP, so this bounds what one host can make them do (and log) with bad
       * tokens. Only a refusal takes a slot (issue 13): valid sessions are limited per session.
       */
      bearer: limit(300, 60),
      /**
       * One session on the Bearer routes together, whatever its address: a valid token used hundreds of
       * times a minute is a bot (issue 13). Its refusals are bot_activity_detected, never an IP block.
       */
      bearerSession: limit(120, 60),
      /** The dashboard API, per signed-in admin (not per IP): a page makes a handful of calls a view. */
      admin: limit(600, 60),
    })
    .prefault({}),
  /** How long to wait for Redis before the in-memory limiter decides instead. */
  redisTimeoutMs: z.number().int().min(50).default(800),
});

export type SecurityConfig = z.output<typeof securityConfigSchema>;
export type LimitedRoute = keyof SecurityConfig['rateLimits'];

export const DEFAULT_SECURITY_CONFIG: SecurityConfig = securityConfigSchema.parse({});
