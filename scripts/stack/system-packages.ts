/**
 * Finds a system program, installing its Debian package when we can (root on Debian/Ubuntu),
 * otherwise failing with the command a person should run. Fresh machines of our kind have neither
 * redis-server nor (always) PostgreSQL, and CI runs on such a machine.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

let aptUpdated = false;

export function which(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

function isDebianLike(): boolean {
  if (!existsSync('/etc/os-release')) return false;
  return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(readFileSync('/etc/os-release', 'utf8'));
}

function installHint(debianPackage: string, brewPackage: string): string {
  if (process.platform === 'darwin') return `brew install ${brewPackage}`;
  return `sudo apt-get install -y ${debianPackage}`;
}

/** Installs `debianPackage` with apt-get if `isPresent()` is false; throws a clear error where it cannot. */
export function ensurePackage(opts: {
  what: string;
  debianPackage: string;
  brewPackage: string;
  isPresent: () => boolean;
}): void {
  if (opts.isPresent()) return;
  const canInstall = process.platform === 'linux' && process.getuid?.() === 0 && isDebianLike() && which('apt-get');
  if (!canInstall) {
    throw new Error(
      `${opts.what} is not installed. Install it with: ${installHint(opts.debianPackage, opts.brewPackage)}`,
    );
  }
  console.log(`[stack] installing ${opts.debianPackage} with apt-get (one-time)...`);
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env: aptEnv });
    aptUpdated = true;
  }
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', opts.debianPackage], {
    stdio: 'inherit',
    env: aptEnv,
  });
  if (!opts.isPresent()) throw new Error(`${opts.debianPackage} installed but ${opts.what} is still not found`);
}
