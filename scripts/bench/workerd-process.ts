/** The workerd processes Miniflare starts for a benchmark (children of this process): their CPU and memory. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export function workerdPids(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes('workerd'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

/** User and system CPU time a process has used, in seconds. */
export const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
};

/** VmRSS (resident now) or VmHWM (peak resident) of a process, in MiB. */
export const memMiB = (pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/**
 * CPU time the whole machine has used, in seconds (every core: workerd, the bridges, Postgres, Redis and
 * the load driver share them here, so what a route costs them limits its rate too).
 */
export const machineCpuSeconds = (): number => {
  const [, user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/);
  return [user, nice, system, irq, softirq].reduce((sum, ticks) => sum + Number(ticks), 0) / 100;
};

/**
 * CPU time, in seconds, of each process whose name (comm) is `name` (e.g. Postgres's backends), by pid:
 * `cpuSince` subtracts one such snapshot from now.
 */
export function namedCpu(name: string): Map<string, number> {
  const byPid = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== name) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byPid.set(entry, (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return byPid;
}

/**
 * The CPU those processes used since `before`: a process started meanwhile counts whole, one that ended
 * meanwhile (a backend closed, an autovacuum worker done) counts nothing rather than minus its past.
 */
export function cpuSince(name: string, before: Map<string, number>): number {
  let total = 0;
  for (const [pid, seconds] of namedCpu(name)) total += seconds - (before.get(pid) ?? 0);
  return total;
}
