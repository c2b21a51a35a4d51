/**
 * The real PostgreSQL server in a cluster of our own (see postgresClusterDir), loopback only.
 * Postgres refuses to run as root, so as root every server command runs as the `postgres` user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ensurePackage } from './system-packages.ts';
import { oneAtATime, runsProgram } from './process-utils.ts';
import { postgresAnswers, waitUntilAnswers } from './probes.ts';

export interface PostgresServer {
  /** Stops the server a killed earlier run left up on this cluster (found through its postmaster.pid). */
  endLeftover(): Promise<void>;
  /** Resolves once the server answers SELECT 1: at once if it does, else after (re)starting it. */
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
  ensurePackage({
    what: 'PostgreSQL',
    debianPackage: 'postgresql',
    brewPackage: 'postgresql',
    isPresent: () => postgresBinDir() !== undefined,
  });
  return postgresBinDir() as string;
}

const isRoot = process.getuid?.() === 0;

/** How long a live postmaster that does not answer (starting, recovering, stopped) gets before it is replaced. */
const SILENT_GRACE_MS = 5_000;
const START_TIMEOUT_MS = 15_000;

/**
 * Where the cluster (data, socket, log, pwfile) of the stack with this state dir lives: beside the
 * stack's other state, except as root. Then the server runs as `postgres`, which may be unable to
 * enter the repo (a clone in /root is 0700), so the cluster goes under the temp dir, in a folder
 * named after the state dir so that checkouts and profiles never share one.
 */
export function postgresClusterDir(stateDir: string): string {
  if (!isRoot) return join(stateDir, 'postgres');
  const id = createHash('sha1').update(stateDir).digest('hex').slice(0, 10);
  return join(tmpdir(), 'edge-auth-stack', `${basename(stateDir)}-${id}`);
}

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

export function postgresServer(opts: {
  port: number;
  dir: string;
  password: string;
  database: string;
}): PostgresServer {
  const binDir = ensurePostgresInstalled();
  const dataDir = join(opts.dir, 'data');
  const socketDir = opts.dir;
  const pgCtl = join(binDir, 'pg_ctl');
  const pidFile = join(dataDir, 'postmaster.pid');
  const lockFiles = [pidFile, join(socketDir, `.s.PGSQL.${opts.port}.lock`)];
  // The always-present `postgres` database: the readiness check must not depend on createdb having run.
  const adminUrl = `postgres://postgres:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/postgres`;
  const answers = () => postgresAnswers(adminUrl);
  const serial = oneAtATime();

  function initCluster(): void {
    if (isRoot) {
      // The shared folder in the temp dir: ours (root's, not a plant or a symlink), and open for
      // `postgres` to pass through whatever root's umask.
      const shared = dirname(opts.dir);
      mkdirSync(shared, { recursive: true });
      const stat = lstatSync(shared);
      if (!stat.isDirectory() || stat.uid !== 0) throw new Error(`${shared} must be a directory owned by root`);
      chmodSync(shared, 0o755);
    }
    mkdirSync(opts.dir, { recursive: true });
    if (isRoot)
      chownSync(
        opts.dir,
        Number(execFileSync('id', ['-u', 'postgres']).toString()),
        Number(execFileSync('id', ['-g', 'postgres']).toString()),
      );
    const pwFile = join(opts.dir, 'pwfile');
    writeFileSync(pwFile, opts.password, { mode: 0o644 });
    run(join(binDir, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--pwfile',
      pwFile,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
  }

  /** The postmaster a lock file names (pid on its first line), if that pid is a live postgres. */
  function lockOwner(file: string): { exists: boolean; livePid?: number } {
    if (!existsSync(file)) return { exists: false };
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return runsProgram(pid, 'postgres') ? { exists: true, livePid: pid } : { exists: true };
  }

  /** Ends the postmaster named by postmaster.pid (a leftover, or one that no longer answers). */
  function endPostmaster(pid: number): void {
    run(pgCtl, ['-D', dataDir, 'stop', '-m', 'immediate', '-w', '-t', '10'], true);
    if (runsProgram(pid, 'postgres')) process.kill(pid, 'SIGKILL'); // stopped (SIGSTOP) or hung: ignores SIGQUIT
  }

  /**
   * A SIGKILLed postmaster leaves two lock files behind: postmaster.pid in the data directory and
   * .s.PGSQL.<port>.lock beside its socket. While either names a pid that still exists (a zombie:
   * PID 1 of a container often reaps nothing; or a pid since reused by another program), Postgres
   * refuses to start ("lock file ... already exists") and `pg_ctl status` reports a dead server as
   * running. Removing them is safe once their pid is no live postgres: Postgres (12+) finds the old
   * server's shared memory by the data directory's inode, not through these files, and refuses to
   * start while any process of the killed server is still attached to it.
   */
  function removeStaleLockFiles(): void {
    for (const file of lockFiles) {
      const lock = lockOwner(file);
      if (lock.exists && lock.livePid === undefined) rmSync(file, { force: true });
    }
  }

  return {
    async endLeftover() {
      const { livePid } = lockOwner(pidFile);
      if (livePid !== undefined) endPostmaster(livePid);
      removeStaleLockFiles();
    },
    start: () =>
      serial(async () => {
        // Up and answering: nothing to do (the control server's POST /postgres/start is idempotent, as for Redis).
        if (await answers()) return;
        const { livePid } = lockOwner(pidFile);
        if (livePid !== undefined) {
          // A postmaster is there but silent: still starting or recovering, or hung. Give it a moment.
          if (await waitUntilAnswers(answers, SILENT_GRACE_MS, () => !runsProgram(livePid, 'postgres'))) return;
          endPostmaster(livePid);
        }
        removeStaleLockFiles();
        if (!existsSync(join(dataDir, 'PG_VERSION'))) initCluster();
        // fsync=off: throwaway local data; durability is not what we test here, speed is what we want.
        const serverOptions = `-c listen_addresses=127.0.0.1 -p ${opts.port} -k ${socketDir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
        run(pgCtl, ['-D', dataDir, '-w', '-l', join(opts.dir, 'postgres.log'), 'start', '-o', serverOptions]);
        if (!(await waitUntilAnswers(answers, START_TIMEOUT_MS))) {
          throw new Error(
            `PostgreSQL did not answer SELECT 1 on 127.0.0.1:${opts.port} within ${START_TIMEOUT_MS / 1000} s (log: ${join(opts.dir, 'postgres.log')})`,
          );
        }
        const createdb = asServerUser(join(binDir, 'createdb'), [
          '-h',
          socketDir,
          '-p',
          String(opts.port),
          '-U',
          'postgres',
          opts.database,
        ]);
        spawnSync(createdb.file, createdb.args, { encoding: 'utf8' }); // fails harmlessly when it exists
      }),
    stop: () =>
      serial(async () => {
        // pg_ctl stop on a dead server's lock file would wait its full timeout for the file to go.
        if (lockOwner(pidFile).livePid !== undefined) run(pgCtl, ['-D', dataDir, 'stop', '-m', 'fast', '-w'], true);
        removeStaleLockFiles();
      }),
  };
}
