/**
 * Bench-only auth Worker entries, built the same way for a fair comparison: the same app with the
 * security layer (gate + detection) on, or off. `SECURITY_LAYER` picks the variant.
 */
import { authEnvSchema, parseEnv } from '../../src/lib/config/env-schema';
import { buildAuthDeps } from '../../src/functions/auth/deps';
import { createAuthApp, type AuthApp } from '../../src/functions/auth/app';
import { noDetection } from '../../src/lib/detection/detector';

let app: AuthApp | undefined;

export default {
  fetch(request: Request, env: Env & { SECURITY_LAYER: string }, ctx: ExecutionContext): Response | Promise<Response> {
    if (!app) {
      const report = (err: unknown) => console.error(err);
      const deps = buildAuthDeps(parseEnv(authEnvSchema, env), { report });
      const on = env.SECURITY_LAYER !== 'off';
      app = createAuthApp(on ? deps : { ...deps, detect: noDetection }, { securityGate: on });
    }
    return app.fetch(request, env, ctx);
  },
};
