/**
 * The browser the benchmarks' clients say they are, on every request: the load driver's (autocannon) and
 * the set-up's (Node's fetch). Sessions must be made and refreshed with the same traits: Node's fetch
 * adds `accept-language: *` where autocannon sends none, and a different language is a new device
 * fingerprint, so every refresh also recorded a `device_fingerprint_mismatch` until both said the same.
 */
export const BENCH_CLIENT_HEADERS = {
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) bench-load Chrome/131.0',
  'accept-language': 'en-GB,en;q=0.9',
} as const;
