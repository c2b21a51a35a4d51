/**
 * The local cloud: real redis-server and PostgreSQL, each behind a bridge that speaks the production
 * protocol (Upstash REST, Neon HTTP), migrations applied, and a control server for failure tests.
 * Used in-process by the tests' global setup and by the stack daemon (`npm run stack:start`).
 */
import { rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StackProfile } from './profile.ts';
import { postgresUrl } from './profile.ts';
import { ensureRedisInstalled, redisServer } from './redis-server.ts';
import { postgresClusterDir, postgresServer } from './postgres-server.ts';
import { startUpstashBridge } from './upstash-bridge.ts';
import { startNeonBridge } from './neon-bridge.ts';
import { applyMigrations } from './migrate.ts';
import { startControlServer } from './control-server.ts';
import { canConnect } from './process-utils.ts';

export interface RunningStack {
  profile: StackProfile;
  stop(): Promise<void>;
}

async function assertPortsFree(profile: StackProfile): Promise<void> {
  const ports = [
    profile.redisPort,
    profile.postgresPort,
    profile.upstashBridgePort,
    profile.neonBridgePort,
    profile.controlPort,
  ];
  const busy = [];
  for (const port of ports) if (await canConnect(port)) busy.push(port);
  if (busy.length > 0) {
    throw new Error(
      `ports ${busy.join(', ')} are in use: is another ${profile.name} stack running? (npm run stack:stop, or set STACK_${profile.name.toUpperCase()}_BASE_PORT)`,
    );
  }
}

export async function startStack(
  profile: StackProfile,
  log: (line: string) => void = console.log,
): Promise<RunningStack> {
  ensureRedisInstalled();
  const redisDir = join(profile.stateDir, 'redis');
  const postgresDir = postgresClusterDir(profile.stateDir);
  const redis = redisServer({ port: profile.redisPort, dir: redisDir });
  const postgres = postgresServer({
    port: profile.postgresPort,
    dir: postgresDir,
    password: profile.databasePassword,
    database: profile.databaseName,
  });
  // A stack whose owner is alive answers on its control port (the control server runs in the owner's
  // process and dies with it): its Redis and Postgres are not leftovers, and ending them would pull
  // the stack from under a running benchmark or test run.
  if (await canConnect(profile.controlPort)) {
    throw new Error(
      `a ${profile.name} stack is running (its control server answers on :${profile.controlPort}): stop it (npm run stack:stop), or set STACK_${profile.name.toUpperCase()}_BASE_PORT`,
    );
  }
  // A killed daemon or test run leaves its redis-server and Postgres up: end this profile's own
  // leftovers first, so that only someone else's processes count as "ports in use".
  await redis.endLeftover();
  await postgres.endLeftover();
  await assertPortsFree(profile);

  const wipeData = () => {
    for (const dir of [redisDir, postgresDir]) rmSync(dir, { recursive: true, force: true });
  };
  if (profile.throwaway) wipeData();

  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopPart of stops.reverse())
      await stopPart().catch((err: unknown) => log(`[stack] stop failed: ${String(err)}`));
    if (profile.throwaway) {
      wipeData();
      // The state dir too, unless something else lives there: a daemon (cli.ts start) keeps its state and log files in it.
      try {
        rmdirSync(profile.stateDir);
      } catch {
        // not empty (or already gone)
      }
    }
  };
  try {
    await redis.start();
    stops.push(() => redis.stop());

    await postgres.start();
    stops.push(() => postgres.stop());
    await applyMigrations(postgresUrl(profile));

    const upstash = await startUpstashBridge({
      port: profile.upstashBridgePort,
      token: profile.upstashToken,
      redisPort: profile.redisPort,
    });
    stops.push(() => upstash.close());
    const neon = await startNeonBridge({ port: profile.neonBridgePort, connectionString: postgresUrl(profile) });
    stops.push(() => neon.close());

    const control = await startControlServer(profile.controlPort, { redis, postgres });
    stops.push(() => control.close());
    log(
      `[stack] ${profile.name}: redis :${profile.redisPort} (upstash bridge ${upstash.url}), postgres :${profile.postgresPort} (neon bridge ${neon.sqlEndpoint}), control ${control.url}`,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { profile, stop };
}
