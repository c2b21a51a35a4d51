/** The stack daemon's state file: who runs the stack of a profile, and whether it is ready. */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackProfile } from './profile.ts';

export interface DaemonState {
  pid: number;
  ready: boolean;
  error?: string;
}

const stateFile = (profile: StackProfile) => join(profile.stateDir, 'daemon.json');
export const logFile = (profile: StackProfile) => join(profile.stateDir, 'stack.log');

export function readState(profile: StackProfile): DaemonState | undefined {
  const file = stateFile(profile);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DaemonState;
  } catch {
    return undefined;
  }
}

export function writeState(profile: StackProfile, state: DaemonState): void {
  writeFileSync(stateFile(profile), JSON.stringify(state));
}

export function clearState(profile: StackProfile): void {
  rmSync(stateFile(profile), { force: true });
}
