/** The real redis-server, loopback only, no persistence: the stack's Redis. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePackage, which } from './system-packages.ts';
import { killFromPidFile, waitForExit, waitForPort } from './process-utils.ts';

export interface RedisServer {
  /** Ends the redis-server a killed earlier run of this stack left behind (found through its pid file). */
  endLeftover(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly running: boolean;
}

export function ensureRedisInstalled(): void {
  ensurePackage({ what: 'redis-server', debianPackage: 'redis-server', brewPackage: 'redis', isPresent: () => which('redis-server') !== undefined });
}

export function redisServer(opts: { port: number; dir: string }): RedisServer {
  const pidFile = join(opts.dir, 'redis.pid');
  let child: ChildProcess | undefined;

  return {
    get running() {
      return child !== undefined && child.exitCode === null;
    },
    endLeftover: () => killFromPidFile(pidFile, 'redis-server'),
    async start() {
      if (this.running) return;
      mkdirSync(opts.dir, { recursive: true });
      // --save "" and no AOF: the data is throwaway; nothing slows the tests down with fsyncs.
      child = spawn('redis-server', [
        '--port', String(opts.port), '--bind', '127.0.0.1', '--protected-mode', 'yes',
        '--dir', opts.dir, '--save', '', '--appendonly', 'no', '--loglevel', 'warning',
      ], { stdio: ['ignore', 'ignore', 'inherit'] });
      writeFileSync(pidFile, String(child.pid));
      await waitForPort(opts.port, 'redis-server');
    },
    async stop() {
      const running = child;
      child = undefined;
      if (running?.pid && running.exitCode === null) {
        running.kill('SIGTERM');
        if (!(await waitForExit(running.pid))) running.kill('SIGKILL');
      }
      // The dev state dir persists: a pid file left behind would later point at whatever reuses the pid.
      rmSync(pidFile, { force: true });
    },
  };
}
