/**
 * `node scripts/stack/cli.ts start|stop|status [dev|test|bench]`
 * start: idempotent; starts the stack daemon in the background and waits until it is ready.
 * stop: ends the daemon, which stops exactly what it started (its redis-server, its Postgres cluster, its bridges).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot, stackProfile, workerBindings, type ProfileName, type StackProfile } from './profile.ts';
import { clearState, logFile, readState } from './daemon-state.ts';
import { isAlive, waitForExit } from './process-utils.ts';

function running(profile: StackProfile): boolean {
  const state = readState(profile);
  return state !== undefined && isAlive(state.pid);
}

export async function start(profile: StackProfile, timeoutMs = 180_000): Promise<void> {
  if (running(profile) && readState(profile)?.ready) {
    console.log(`[stack] ${profile.name} already running`);
    return;
  }
  if (running(profile)) await stop(profile); // a half-started daemon: start over
  clearState(profile);
  mkdirSync(profile.stateDir, { recursive: true });
  const out = openSync(logFile(profile), 'a');
  const daemon = spawn(process.execPath, [join(repoRoot, 'scripts/stack/daemon.ts'), profile.name], {
    detached: true, stdio: ['ignore', out, out], cwd: repoRoot,
  });
  daemon.unref();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = readState(profile);
    if (state?.ready) {
      console.log(`[stack] ${profile.name} ready (log: ${logFile(profile)})`);
      return;
    }
    if (state?.error || (daemon.pid !== undefined && !isAlive(daemon.pid))) break;
    await sleep(100);
  }
  const tail = readFileSync(logFile(profile), 'utf8').split('\n').slice(-30).join('\n');
  throw new Error(`[stack] ${profile.name} failed to start:\n${tail}`);
}

export async function stop(profile: StackProfile): Promise<void> {
  const state = readState(profile);
  if (!state || !isAlive(state.pid)) {
    clearState(profile);
    console.log(`[stack] ${profile.name} not running`);
    return;
  }
  process.kill(state.pid, 'SIGTERM');
  if (!(await waitForExit(state.pid, 30_000))) process.kill(state.pid, 'SIGKILL');
  clearState(profile);
  console.log(`[stack] ${profile.name} stopped`);
}

if (import.meta.main) {
  const [command, name = 'dev'] = process.argv.slice(2);
  const profile = stackProfile(name as ProfileName);
  if (command === 'start') await start(profile);
  else if (command === 'stop') await stop(profile);
  else if (command === 'status') console.log(JSON.stringify({ running: running(profile), ...readState(profile), bindings: workerBindings(profile) }, null, 2));
  else {
    console.error('usage: node scripts/stack/cli.ts start|stop|status [dev|test|bench]');
    process.exit(2);
  }
}
