/**
 * The local cloud: real redis-server and PostgreSQL, each behind a bridge that speaks the production
 * protocol (Upstash REST, Neon HTTP), migrations applied, and a control server for failure tests.
 * Used in-process by the tests' global setup and by the stack daemon (`npm run stack:start`).
 */
import { rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StackProfile } from './profile.ts';
import { postgresUrl } from './profile.ts';
import { ensureRedisInstalled, redisServer } from './redis-server.ts';
import { postgresServer } from './postgres-server.ts';
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
  const ports = [profile.redisPort, profile.postgresPort, profile.upstashBridgePort, profile.neonBridgePort, profile.controlPort];
  const busy = [];
  for (const port of ports) if (await canConnect(port)) busy.push(port);
  if (busy.length > 0) {
    throw new Error(`ports ${busy.join(', ')} are in use: is another ${profile.name} stack running? (npm run stack:stop, or set STACK_${profile.name.toUpperCase()}_BASE_PORT)`);
  }
}

export async function startStack(profile: StackProfile, log: (line: string) => void = console.log): Promise<RunningStack> {
  ensureRedisInstalled();
  await assertPortsFree(profile);
  mkdirSync(profile.stateDir, { recursive: true });
  if (profile.throwaway) {
    // Only the data: the daemon's state and log files live beside it.
    for (const part of ['redis', 'postgres']) rmSync(join(profile.stateDir, part), { recursive: true, force: true });
  }

  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopPart of stops.reverse()) await stopPart().catch((err: unknown) => log(`[stack] stop failed: ${String(err)}`));
    if (profile.throwaway) for (const part of ['redis', 'postgres']) rmSync(join(profile.stateDir, part), { recursive: true, force: true });
  };
  try {
    const redis = redisServer({ port: profile.redisPort, dir: join(profile.stateDir, 'redis') });
    await redis.start();
    stops.push(() => redis.stop());

    const postgres = postgresServer({ port: profile.postgresPort, dir: join(profile.stateDir, 'postgres'), password: profile.databasePassword, database: profile.databaseName });
    await postgres.start();
    stops.push(() => postgres.stop());
    await applyMigrations(postgresUrl(profile));

    const upstash = await startUpstashBridge({ port: profile.upstashBridgePort, token: profile.upstashToken, redisPort: profile.redisPort });
    stops.push(() => upstash.close());
    const neon = await startNeonBridge({ port: profile.neonBridgePort, connectionString: postgresUrl(profile) });
    stops.push(() => neon.close());

    const control = await startControlServer(profile.controlPort, { redis, postgres });
    stops.push(() => control.close());
    log(`[stack] ${profile.name}: redis :${profile.redisPort} (upstash bridge ${upstash.url}), postgres :${profile.postgresPort} (neon bridge ${neon.sqlEndpoint}), control ${control.url}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { profile, stop };
}
