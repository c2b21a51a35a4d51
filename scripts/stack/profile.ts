/**
 * The local stack's profiles. `dev` backs `npm run dev`; `test` backs `npm test` and the benchmarks,
 * on other ports so both can run at once. Every port can be overridden by an environment variable.
 */
import { resolve } from 'node:path';

export type ProfileName = 'dev' | 'test' | 'bench';

export interface StackProfile {
  name: ProfileName;
  /** Everything the stack writes lives here (ignored by git). */
  stateDir: string;
  redisPort: number;
  postgresPort: number;
  upstashBridgePort: number;
  neonBridgePort: number;
  controlPort: number;
  /** A test or bench stack starts from an empty database every time; dev keeps its data. */
  throwaway: boolean;
  /** Local-only credentials: the bridges and Postgres listen on loopback alone. */
  upstashToken: string;
  databaseName: string;
  databasePassword: string;
}

export const repoRoot = resolve(import.meta.dirname, '..', '..');

const basePorts: Record<ProfileName, number> = { dev: 15_400, test: 25_400, bench: 35_400 };

function port(envName: string, fallback: number): number {
  const raw = process.env[envName];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) {
    throw new Error(`${envName} must be a TCP port (1-65535), got "${raw}"`);
  }
  return value;
}

export function stackProfile(name: ProfileName): StackProfile {
  const prefix = `STACK_${name.toUpperCase()}_`;
  const base = port(`${prefix}BASE_PORT`, basePorts[name]);
  return {
    name,
    // One folder per base port, so concurrent test runs (each on its own ports) never share data.
    stateDir: resolve(repoRoot, '.stack', base === basePorts[name] ? name : `${name}-${base}`),
    postgresPort: port(`${prefix}POSTGRES_PORT`, base + 32),
    redisPort: port(`${prefix}REDIS_PORT`, base + 79),
    upstashBridgePort: port(`${prefix}UPSTASH_PORT`, base + 80),
    neonBridgePort: port(`${prefix}NEON_PORT`, base + 81),
    controlPort: port(`${prefix}CONTROL_PORT`, base + 82),
    throwaway: name !== 'dev',
    upstashToken: `local-${name}-upstash-token`,
    databaseName: 'auth',
    databasePassword: `local-${name}-password`,
  };
}

/** What a Worker needs to reach this stack, in the shape of its `env`. */
export function workerBindings(profile: StackProfile): Record<string, string> {
  return {
    DATABASE_URL: `postgres://postgres:${profile.databasePassword}@127.0.0.1:${profile.postgresPort}/${profile.databaseName}`,
    NEON_FETCH_ENDPOINT: `http://127.0.0.1:${profile.neonBridgePort}/sql`,
    UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${profile.upstashBridgePort}`,
    UPSTASH_REDIS_REST_TOKEN: profile.upstashToken,
  };
}

export function postgresUrl(profile: StackProfile): string {
  return workerBindings(profile).DATABASE_URL as string;
}
