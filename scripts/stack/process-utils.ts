/** Small helpers for the stack's child processes: waiting for ports, liveness, pid files. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped: common in containers without an init) still answers kill(0).
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  const state = readFileSync(stat, 'utf8').split(') ')[1]?.[0];
  return state !== 'Z' && state !== 'X';
}

export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function waitForPort(port: number, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await canConnect(port)) return;
    await sleep(50);
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

export async function waitForExit(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

/**
 * Whether `pid` is alive and, where /proc exists, its command line contains `program`: a pid read
 * from a file may since have been reused by an unrelated process, which we must never signal.
 */
export function runsProgram(pid: number, program: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return false;
  if (!existsSync('/proc')) return true; // macOS: liveness is all we can check
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(program);
  } catch {
    return false; // exited meanwhile
  }
}

/** Ends a process left behind by a run that crashed, found through its pid file. */
export async function killFromPidFile(pidFile: string, program: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (runsProgram(pid, program)) {
    process.kill(pid, 'SIGTERM');
    if (!(await waitForExit(pid))) process.kill(pid, 'SIGKILL');
  }
  rmSync(pidFile, { force: true });
}

/**
 * A queue for the actions on one server: each runs after the previous one has finished, so two
 * `POST /redis/start` at once cannot both find Redis down and spawn two servers on one port, and a
 * stop cannot cut through a start.
 */
export function oneAtATime(): <T>(action: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(action: () => Promise<T>) => {
    const run = queue.then(action, action);
    queue = run.catch(() => {});
    return run;
  };
}
