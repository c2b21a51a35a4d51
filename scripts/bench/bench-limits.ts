/**
 * SECURITY_CONFIG for the benchmarks: one client (one IP, one user agent) makes hundreds of requests
 * a minute, so the rate limits and the rules that count requests are raised past what a run makes.
 * What the layer costs per request (its Redis round trips) is unchanged: only the numbers move.
 */
const many = { requests: 1_000_000 };

export const BENCH_SECURITY_CONFIG = JSON.stringify({
  rateLimits: {
    login: many,
    loginFailures: many,
    signup: many,
    refresh: many,
    google: many,
    logout: many,
    bearer: many,
    bearerSession: many,
  },
  bot: many,
  rapidRefresh: { refreshes: 1_000_000 },
  distributedBruteForce: { failures: 1_000_000 },
  credentialStuffing: { accounts: 1_000_000, dailyFailures: 1_000_000 },
});
