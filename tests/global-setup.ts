/**
 * Starts the test stack (real redis-server and PostgreSQL behind the Upstash and Neon bridges, fresh
 * data, migrations applied) once for the whole run, and always stops it, failures included.
 */
import { stackProfile } from '../scripts/stack/profile.ts';
import { startStack } from '../scripts/stack/stack.ts';

export default async function setup(): Promise<() => Promise<void>> {
  const stack = await startStack(stackProfile('test'));
  return () => stack.stop();
}
