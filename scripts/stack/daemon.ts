/** Runs the stack of one profile until SIGTERM/SIGINT; started in the background by `cli.ts start`. */
import { mkdirSync } from 'node:fs';
import { stackProfile, type ProfileName } from './profile.ts';
import { startStack } from './stack.ts';
import { clearState, writeState } from './daemon-state.ts';

const profile = stackProfile((process.argv[2] ?? 'dev') as ProfileName);
mkdirSync(profile.stateDir, { recursive: true });
writeState(profile, { pid: process.pid, ready: false });

try {
  const stack = await startStack(profile);
  writeState(profile, { pid: process.pid, ready: true });
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
    clearState(profile);
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
} catch (err) {
  console.error(err);
  writeState(profile, { pid: process.pid, ready: false, error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}
