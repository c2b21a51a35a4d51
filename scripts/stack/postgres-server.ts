/**
 * The real PostgreSQL server in a cluster of our own under the stack's state dir, loopback only.
 * Postgres refuses to run as root, so as root every server command runs as the `postgres` user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePackage } from './system-packages.ts';
import { waitForPort } from './process-utils.ts';

export interface PostgresServer {
  start(): Promise<void>;
  stop(): Promise<void>;
}

function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')));
    const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
    if (newest) return join(root, newest, 'bin');
  }
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  return pgConfig.status === 0 ? pgConfig.stdout.trim() : undefined;
}

export function ensurePostgresInstalled(): string {
  ensurePackage({ what: 'PostgreSQL', debianPackage: 'postgresql', brewPackage: 'postgresql', isPresent: () => postgresBinDir() !== undefined });
  return postgresBinDir() as string;
}

const isRoot = process.getuid?.() === 0;

function asServerUser(bin: string, args: string[]): { file: string; args: string[] } {
  return isRoot ? { file: 'runuser', args: ['-u', 'postgres', '--', bin, ...args] } : { file: bin, args };
}

function run(bin: string, args: string[], allowFailure = false): boolean {
  const cmd = asServerUser(bin, args);
  const result = spawnSync(cmd.file, cmd.args, { encoding: 'utf8' });
  if (result.status !== 0 && !allowFailure) {
    throw new Error(`${args[0] ?? bin} failed: ${result.stderr || result.stdout}`);
  }
  return result.status === 0;
}

export function postgresServer(opts: { port: number; dir: string; password: string; database: string }): PostgresServer {
  const binDir = ensurePostgresInstalled();
  const dataDir = join(opts.dir, 'data');
  const socketDir = opts.dir;
  const pgCtl = join(binDir, 'pg_ctl');

  function initCluster(): void {
    mkdirSync(opts.dir, { recursive: true });
    if (isRoot) chownSync(opts.dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    const pwFile = join(opts.dir, 'pwfile');
    writeFileSync(pwFile, opts.password, { mode: 0o644 });
    run(join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--pwfile', pwFile, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C']);
  }

  return {
    async start() {
      if (!existsSync(join(dataDir, 'PG_VERSION'))) initCluster();
      // A crashed earlier run may have left this cluster's server up: stop it, then start fresh.
      run(pgCtl, ['-D', dataDir, 'stop', '-m', 'immediate'], true);
      // fsync=off: throwaway local data; durability is not what we test here, speed is what we want.
      const serverOptions = `-c listen_addresses=127.0.0.1 -p ${opts.port} -k ${socketDir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
      run(pgCtl, ['-D', dataDir, '-w', '-l', join(opts.dir, 'postgres.log'), 'start', '-o', serverOptions]);
      await waitForPort(opts.port, 'PostgreSQL');
      const createdb = asServerUser(join(binDir, 'createdb'), ['-h', socketDir, '-p', String(opts.port), '-U', 'postgres', opts.database]);
      spawnSync(createdb.file, createdb.args, { encoding: 'utf8' }); // fails harmlessly when it exists
    },
    async stop() {
      run(pgCtl, ['-D', dataDir, 'stop', '-m', 'fast', '-w'], true);
    },
  };
}
