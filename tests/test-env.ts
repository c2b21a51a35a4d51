import { env } from 'cloudflare:workers';

/** The Worker's env plus the test-only bindings from tests/test-bindings.ts. */
export const testEnv = env as Cloudflare.Env & { STACK_CONTROL_URL: string };

/** Stops or starts a part of the test stack through its control server (tests cannot spawn processes). */
export async function stackControl(part: 'redis' | 'postgres', action: 'stop' | 'start'): Promise<void> {
  const res = await fetch(`${testEnv.STACK_CONTROL_URL}/${part}/${action}`, { method: 'POST' });
  if (!res.ok) throw new Error(`stack control ${part}/${action} answered ${res.status}: ${await res.text()}`);
}
