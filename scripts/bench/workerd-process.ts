/** The workerd processes Miniflare starts for a benchmark (children of this process): their CPU and memory. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

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
