/** `GET /health`: each dependency pinged at once, each with its own deadline, so one hang cannot hide the other. */

export type CheckName = 'database' | 'redis';
export type Probe = () => Promise<unknown>;

export interface HealthReport {
  status: 'ok' | 'degraded';
  checks: Record<CheckName, 'ok' | 'error'>;
  error?: string;
}

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}

export async function checkHealth(probes: Record<CheckName, Probe>, deadlineMs = 2000): Promise<HealthReport> {
  const names = Object.keys(probes) as CheckName[];
  const results = await Promise.allSettled(
    names.map((name) => withDeadline(Promise.resolve().then(probes[name]), deadlineMs, name)),
  );
  const checks = {} as HealthReport['checks'];
  const failing: string[] = [];
  results.forEach((result, i) => {
    const name = names[i] as CheckName;
    checks[name] = result.status === 'fulfilled' ? 'ok' : 'error';
    if (result.status === 'rejected') failing.push(name);
  });
  if (failing.length === 0) return { status: 'ok', checks };
  // Name the failing part, not its error text: a driver message may carry a host or a user name.
  return { status: 'degraded', checks, error: `${failing.join(' and ')} unavailable` };
}
