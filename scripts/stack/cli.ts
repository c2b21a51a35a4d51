/**
 * `node scripts/stack/cli.ts start|stop|status [dev|test|bench]`
 * start: idempotent; starts the stack daemon in the background and waits until it is ready; when the
 *   daemon already runs, restarts (through it) a Redis or Postgres that died, and returns once both answer.
 * stop: ends the daemon, which stops exactly what it started (its redis-server, its Postgres cluster, its bridges).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { postgresUrl, repoRoot, stackProfile, workerBindings, type ProfileName, type StackProfile } from './profile.ts';
import { clearState, logFile, readState } from './daemon-state.ts';
import { isAlive, waitForExit } from './process-utils.ts';
import { postgresAnswers, redisAnswers } from './probes.ts';

function running(profile: StackProfile): boolean {
  const state = readState(profile);
  return state !== undefined && isAlive(state.pid);
}

/**
 * A live daemon says nothing of its Redis and Postgres: either may have died since (killed, OOM,
 * a test's SIGKILL). Asks the daemon's control server to start each one that does not answer; its
 * start returns only once the server answers. False if the daemon could not bring one back.
 */
async function reviveParts(profile: StackProfile): Promise<boolean> {
  const parts = { redis: () => redisAnswers(profile.redisPort), postgres: () => postgresAnswers(postgresUrl(profile)) };
  for (const [part, answers] of Object.entries(parts)) {
    if (await answers()) continue;
    console.log(`[stack] ${profile.name}: ${part} does not answer; restarting it`);
    const res = await fetch(`http://127.0.0.1:${profile.controlPort}/${part}/start`, {
      method: 'POST',
      signal: AbortSignal.timeout(60_000),
    }).catch(() => undefined);
    if (!res?.ok) {
      console.log(
        `[stack] ${profile.name}: the daemon could not restart ${part} (${res ? `${res.status} ${await res.text()}` : 'control server unreachable'})`,
      );
      return false;
    }
  }
  return true;
}

export async function start(profile: StackProfile, timeoutMs = 180_000): Promise<void> {
  if (running(profile) && readState(profile)?.ready) {
    if (await reviveParts(profile)) {
      console.log(`[stack] ${profile.name} running (Redis and Postgres answer)`);
      return;
    }
    await stop(profile); // a daemon that cannot heal itself: start over
  }
  if (running(profile)) await stop(profile); // a half-started daemon: start over
  clearState(profile);
  mkdirSync(profile.stateDir, { recursive: true });
  const out = openSync(logFile(profile), 'a');
  const daemon = spawn(process.execPath, [join(repoRoot, 'scripts/stack/daemon.ts'), profile.name], {
    detached: true,
    stdio: ['ignore', out, out],
    cwd: repoRoot,
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
  else if (command === 'status')
    console.log(
      JSON.stringify({ running: running(profile), ...readState(profile), bindings: workerBindings(profile) }, null, 2),
    );
  else {
    console.error('usage: node scripts/stack/cli.ts start|stop|status [dev|test|bench]');
    process.exit(2);
  }
}
