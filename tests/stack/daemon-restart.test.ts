/**
 * The stack brings back what died. Outage tests stop and start Redis and Postgres through the
 * control server, and developers run `npm run stack:start` again after a crash: both must restart a
 * redis-server or postmaster that was SIGKILLed, whatever its pid file was left saying, and return
 * only once it answers (PING, SELECT 1), as seen directly and through the bridges the Workers use.
 *
 * Runs a stack daemon of its own, started through the CLI as `npm run stack:start` starts one: the
 * test profile on this run's base port + 10 (its ports stay inside the run's block of 100).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUrl, repoRoot, stackProfile, workerBindings } from '../../scripts/stack/profile.ts';
import { postgresClusterDir } from '../../scripts/stack/postgres-server.ts';
import { postgresAnswers, redisAnswers } from '../../scripts/stack/probes.ts';
import { readState } from '../../scripts/stack/daemon-state.ts';
import { isAlive } from '../../scripts/stack/process-utils.ts';

// Set in this test worker only; the CLI and the daemon it spawns inherit it.
process.env.STACK_TEST_BASE_PORT = String(Number(process.env.STACK_TEST_BASE_PORT ?? 25_400) + 10);
const profile = stackProfile('test');
const bindings = workerBindings(profile);
const redisPidFile = join(profile.stateDir, 'redis', 'redis.pid');
const postmasterPidFile = join(postgresClusterDir(profile.stateDir), 'data', 'postmaster.pid');

const exec = promisify(execFile);
const cli = (command: 'start' | 'stop') =>
  exec(process.execPath, [join(repoRoot, 'scripts/stack/cli.ts'), command, 'test'], { cwd: repoRoot });

const redisUp = () => redisAnswers(profile.redisPort);
const postgresUp = () => postgresAnswers(postgresUrl(profile));

/** PING through the Upstash bridge, as @upstash/redis sends it. */
async function bridgePing(): Promise<unknown> {
  const res = await fetch(`${bindings.UPSTASH_REDIS_REST_URL}/pipeline`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bindings.UPSTASH_REDIS_REST_TOKEN}` },
    body: JSON.stringify([['ping']]),
  });
  return res.json();
}

/** SELECT 1 through the Neon bridge, as @neondatabase/serverless sends it. */
async function bridgeSelectOne(): Promise<unknown> {
  const res = await fetch(bindings.NEON_FETCH_ENDPOINT as string, {
    method: 'POST',
    headers: {
      'neon-connection-string': bindings.DATABASE_URL as string,
      'neon-raw-text-output': 'true',
      'neon-array-mode': 'true',
    },
    body: JSON.stringify({ query: 'SELECT 1 AS one', params: [] }),
  });
  return ((await res.json()) as { rows?: unknown }).rows;
}

const controlStart = (part: 'redis' | 'postgres') =>
  fetch(`http://127.0.0.1:${profile.controlPort}/${part}/start`, { method: 'POST' }).then(async (res) => ({
    status: res.status,
    body: await res.json(),
  }));

function pidIn(file: string): number {
  return Number(readFileSync(file, 'utf8').split('\n')[0]);
}

/** SIGKILLs the process a pid file names and waits until its server stops answering. */
async function killFrom(file: string, answers: () => Promise<boolean>): Promise<void> {
  process.kill(pidIn(file), 'SIGKILL');
  const deadline = Date.now() + 5_000;
  while (await answers()) {
    if (Date.now() > deadline) throw new Error(`still answering after SIGKILL of the pid in ${file}`);
    await sleep(20);
  }
}

/** Rewrites the pid on a pid file's first line, as if the dead server's pid had been reused. */
function pointAt(file: string, pid: number): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines[0] = String(pid);
  writeFileSync(file, lines.join('\n'));
}

describe('the stack restarts a killed Redis or Postgres', () => {
  beforeAll(async () => {
    await cli('start');
  }, 60_000);

  afterAll(async () => {
    await cli('stop');
    rmSync(profile.stateDir, { recursive: true, force: true }); // the daemon's log, all that stop leaves
  }, 60_000);

  it('POST /redis/start brings back a SIGKILLed redis-server', async () => {
    await killFrom(redisPidFile, redisUp);
    expect(await controlStart('redis')).toEqual({ status: 200, body: { redis: 'started' } });
    expect(await redisUp()).toBe(true);
    expect(await bridgePing()).toEqual([{ result: 'PONG' }]);
  });

  it('POST /postgres/start brings back a SIGKILLed postmaster (its postmaster.pid left behind)', async () => {
    await killFrom(postmasterPidFile, postgresUp);
    expect(await controlStart('postgres')).toEqual({ status: 200, body: { postgres: 'started' } });
    expect(await postgresUp()).toBe(true);
    expect(await bridgeSelectOne()).toEqual([['1']]);
  });

  it('stack:start brings back both after they died while no CLI ran, though their pid files name a live stranger', async () => {
    await killFrom(redisPidFile, redisUp);
    await killFrom(postmasterPidFile, postgresUp);
    // The dead servers' pids reused by an unrelated process: it must be neither trusted nor signalled.
    const stranger: ChildProcess = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const strangerPid = stranger.pid as number;
      pointAt(redisPidFile, strangerPid);
      pointAt(postmasterPidFile, strangerPid);
      const daemonPid = readState(profile)?.pid;

      const { stdout } = await cli('start');
      expect(stdout).toContain('running (Redis and Postgres answer)');
      expect(await redisUp()).toBe(true);
      expect(await postgresUp()).toBe(true);
      expect(await bridgePing()).toEqual([{ result: 'PONG' }]);
      expect(await bridgeSelectOne()).toEqual([['1']]);
      expect(readState(profile)?.pid, 'the same daemon healed its parts').toBe(daemonPid);
      expect(isAlive(strangerPid), 'the stranger was not signalled').toBe(true);
    } finally {
      stranger.kill('SIGKILL');
    }
  });

  it('stack:start replaces a SIGKILLed daemon, ending the servers it left running', { timeout: 60_000 }, async () => {
    const old = {
      daemon: readState(profile)?.pid as number,
      redis: pidIn(redisPidFile),
      postmaster: pidIn(postmasterPidFile),
    };
    process.kill(old.daemon, 'SIGKILL');

    await cli('start');
    const now = { daemon: readState(profile)?.pid, redis: pidIn(redisPidFile), postmaster: pidIn(postmasterPidFile) };
    expect(now.daemon).not.toBe(old.daemon);
    expect(isAlive(old.redis) || isAlive(old.postmaster), 'the orphaned servers were ended').toBe(false);
    expect(now.redis).not.toBe(old.redis);
    expect(now.postmaster).not.toBe(old.postmaster);
    expect(await bridgePing()).toEqual([{ result: 'PONG' }]);
    expect(await bridgeSelectOne()).toEqual([['1']]);
  });
});
