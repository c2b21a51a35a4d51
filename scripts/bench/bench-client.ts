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

export interface PoolAccount {
  email: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * Accounts for a benchmark's pools, signed up one after another (each a password hash) as the bench's
 * client, each from its own address under `ipPrefix` (`172.16.0`: .1, .2, ...) so no signup limit bites.
 */
export async function signUpPool(
  url: string,
  count: number,
  r: { emailPrefix: string; ipPrefix: string; password: string },
): Promise<PoolAccount[]> {
  const accounts: PoolAccount[] = [];
  for (let i = 0; i < count; i++) {
    const email = `${r.emailPrefix}-${Date.now()}-${i}@example.com`;
    const res = await fetch(`${url}/api/auth/signup`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'cf-connecting-ip': `${r.ipPrefix}.${i + 1}`,
        ...BENCH_CLIENT_HEADERS,
      },
      body: JSON.stringify({ email, password: r.password, name: 'Bench' }),
    });
    if (res.status !== 201) throw new Error(`signup answered ${res.status}`);
    const body = (await res.json()) as { accessToken: string; refreshToken: string };
    accounts.push({ email, ...body });
  }
  return accounts;
}
