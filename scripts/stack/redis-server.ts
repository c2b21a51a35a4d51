/** The real redis-server, loopback only, no persistence: the stack's Redis. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePackage, which } from './system-packages.ts';
import { killFromPidFile, oneAtATime, waitForExit } from './process-utils.ts';
import { redisAnswers, waitUntilAnswers } from './probes.ts';

export interface RedisServer {
  /** Ends the redis-server a killed earlier run of this stack left behind (found through its pid file). */
  endLeftover(): Promise<void>;
  /** Resolves once a redis-server of ours answers PING: at once if one does, else after (re)starting it. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function ensureRedisInstalled(): void {
  ensurePackage({
    what: 'redis-server',
    debianPackage: 'redis-server',
    brewPackage: 'redis',
    isPresent: () => which('redis-server') !== undefined,
  });
}

/** How long a redis-server of ours that is alive but silent (loading, stopped) gets before it is replaced. */
const SILENT_GRACE_MS = 2_000;
const START_TIMEOUT_MS = 15_000;

export function redisServer(opts: { port: number; dir: string }): RedisServer {
  const pidFile = join(opts.dir, 'redis.pid');
  const answers = () => redisAnswers(opts.port);
  const serial = oneAtATime();
  // Our redis-server while it lives. Cleared on 'exit', which fires however it ended: after a
  // signal (SIGKILL) `exitCode` stays null and only `signalCode` is set, so polling exitCode
  // would take a killed server for a running one.
  let child: ChildProcess | undefined;

  function spawnServer(): ChildProcess {
    mkdirSync(opts.dir, { recursive: true });
    // --save "" and no AOF: the data is throwaway; nothing slows the tests down with fsyncs.
    const started = spawn(
      'redis-server',
      [
        '--port',
        String(opts.port),
        '--bind',
        '127.0.0.1',
        '--protected-mode',
        'yes',
        '--dir',
        opts.dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    started.once('exit', () => {
      if (child === started) child = undefined;
    });
    started.once('error', () => {
      if (child === started) child = undefined;
    }); // e.g. spawn failed
    child = started;
    writeFileSync(pidFile, String(started.pid));
    return started;
  }

  async function endChild(): Promise<void> {
    const ending = child;
    child = undefined;
    if (ending?.pid !== undefined && ending.exitCode === null && ending.signalCode === null) {
      ending.kill('SIGTERM');
      if (!(await waitForExit(ending.pid))) ending.kill('SIGKILL');
    }
  }

  return {
    endLeftover: () => killFromPidFile(pidFile, 'redis-server'),
    start: () =>
      serial(async () => {
        const current = child;
        if (current && (await waitUntilAnswers(answers, SILENT_GRACE_MS, () => child !== current))) return;
        await endChild(); // ours but silent: replace it
        await killFromPidFile(pidFile, 'redis-server'); // a server of an earlier run, or a stale pid file
        const started = spawnServer();
        if (!(await waitUntilAnswers(answers, START_TIMEOUT_MS, () => child !== started)) || child !== started) {
          await endChild();
          throw new Error(
            `redis-server did not answer PING on 127.0.0.1:${opts.port} within ${START_TIMEOUT_MS / 1000} s`,
          );
        }
      }),
    stop: () =>
      serial(async () => {
        await endChild();
        // The dev state dir persists: a pid file left behind would later point at whatever reuses the pid.
        rmSync(pidFile, { force: true });
      }),
  };
}
