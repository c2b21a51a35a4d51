/**
 * `npm run dev`: the whole service on this machine. Starts the dev stack (Redis, Postgres, bridges,
 * migrations), brings both .dev.vars up to date with it (scripts/dev-vars.ts: your own lines stay),
 * runs both Workers under wrangler dev (offline), waits for /health, and prints where everything is.
 * Ctrl-C stops everything it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot, stackProfile } from './stack/profile.ts';
import { start as startStack, stop as stopStack } from './stack/cli.ts';
import { writeDevVars } from './dev-vars.ts';

const AUTH_PORT = Number(process.env.AUTH_PORT ?? 8787);
const DASHBOARD_PORT = Number(process.env.DASHBOARD_PORT ?? 8788);
const profile = stackProfile('dev');

/** The two Workers' local origins: the page (dashboard) signs in on the auth Worker, across origins. */
const AUTH_ORIGIN = `http://127.0.0.1:${AUTH_PORT}`;
const DASHBOARD_ORIGIN = `http://127.0.0.1:${DASHBOARD_PORT}`;

function wranglerDev(
  config: string,
  port: number,
  inspectorPort: number,
  label: string,
  vars: Record<string, string>,
): ChildProcess {
  const child = spawn(
    join(repoRoot, 'node_modules/.bin/wrangler'),
    [
      'dev',
      '-c',
      config,
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(inspectorPort),
      ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
    ],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: 'false',
        XDG_CONFIG_HOME: join(profile.stateDir, 'config'),
        CI: 'true',
      },
    },
  );
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) console.log(`[${label}] ${line}`);
    });
  }
  return child;
}

async function waitForHealth(url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`);
}

const children: ChildProcess[] = [];
let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\n[dev] stopping...');
    for (const child of children) child.kill('SIGTERM');
    await stopStack(profile);
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  await startStack(profile);
  for (const note of await writeDevVars(profile)) console.log(`[dev] ${note}`);
  mkdirSync(join(profile.stateDir, 'config'), { recursive: true });
  // Set here, not in .dev.vars, because they follow the ports: the page at DASHBOARD_ORIGIN signs in
  // on the auth Worker, which must allow it (CORS), and learns where that is from /config.json.
  children.push(wranglerDev('wrangler.toml', AUTH_PORT, 9229, 'auth', { CORS_ALLOWED_ORIGINS: DASHBOARD_ORIGIN }));
  children.push(
    wranglerDev('src/functions/dashboard/wrangler.toml', DASHBOARD_PORT, 9230, 'dashboard', {
      AUTH_PUBLIC_URL: AUTH_ORIGIN,
    }),
  );
  for (const child of children)
    child.on('exit', (code) => {
      if (!stopping) {
        console.error(`[dev] a Worker exited (${code})`);
        void shutdown(1);
      }
    });
  await Promise.all([
    waitForHealth(`http://127.0.0.1:${AUTH_PORT}/health`),
    waitForHealth(`http://127.0.0.1:${DASHBOARD_PORT}/health`),
  ]);
  console.log(`
  Auth Worker       ${AUTH_ORIGIN}        (health: /health, keys: /.well-known/jwks.json)
  Dashboard page    ${DASHBOARD_ORIGIN}/       (sign in as an admin; API under /api/auth/security)
  Nightly cron      curl "http://127.0.0.1:${AUTH_PORT}/cdn-cgi/handler/scheduled?cron=0+2+*+*+*"
  Make an admin     npm run user:role -- --email you@example.com --role admin
  Ctrl-C stops both Workers, Redis and Postgres.
`);
} catch (err) {
  console.error(`[dev] ${err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
}
