/**
 * Keeps the .dev.vars files wrangler dev reads in step with the local stack, without taking them
 * over: on every `npm run dev` the stack's URLs are rewritten (its ports may have moved), a signing
 * key is added when there is none (an existing one is kept, so tokens survive a restart), and every
 * other line (GOOGLE_CLIENT_ID, SENTRY_DSN, SECURITY_CONFIG, comments...) stays as the developer
 * wrote it. Never committed (.gitignore).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { repoRoot, workerBindings, type StackProfile } from './stack/profile.ts';
import { mergeDevVars, readDevVar } from './dev-vars-file.ts';

export const authDevVarsPath = join(repoRoot, '.dev.vars');
export const dashboardDevVarsPath = join(repoRoot, 'src/functions/dashboard/.dev.vars');

const HEADER = `# Local variables for wrangler dev; local only, never commit.
# npm run dev rewrites the local stack's URLs here on every start, adds a signing key when there is
# none, and leaves every other line as you wrote it: add your own variables anywhere.
`;

/** Written only when absent: a developer may point them elsewhere. */
const DEFAULTS = { ENVIRONMENT: 'development', JWT_ISSUER: 'http://127.0.0.1:8787' };

export interface DevVarsPlan {
  auth: string;
  dashboard: string;
  notes: string[];
}

/**
 * The new texts of both Workers' .dev.vars, from their current texts (empty when absent), the
 * stack's bindings and a private JWK to use only if the auth Worker has none. Pure.
 */
export function planDevVars(
  existing: { auth: string; dashboard: string },
  stack: Record<string, string>,
  freshPrivateJwk: string,
): DevVarsPlan {
  const notes: string[] = [];
  const authOwned: Record<string, string> = { ...stack };

  let privateJwk = readDevVar(existing.auth, 'JWT_PRIVATE_JWK');
  if (!privateJwk) {
    privateJwk = freshPrivateJwk;
    authOwned.JWT_PRIVATE_JWK = privateJwk;
    notes.push('.dev.vars had no JWT_PRIVATE_JWK: generated a signing key');
  }

  // The dashboard needs no key: it reads the auth Worker's JWKS through its AUTH service binding.
  return {
    auth: mergeDevVars(existing.auth, { owned: authOwned, defaults: DEFAULTS, header: HEADER }),
    dashboard: mergeDevVars(existing.dashboard, { owned: stack, defaults: DEFAULTS, header: HEADER }),
    notes,
  };
}

/** A fresh ES256 private JWK with a dated, versioned kid. */
export async function newSigningKey(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `dev-${new Date().toISOString().slice(0, 10)}-${crypto.randomUUID().slice(0, 8)}`;
  return JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' });
}

const readIfPresent = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');

/** Brings both .dev.vars files in step with the stack; returns what it noticed, for the console. */
export async function writeDevVars(profile: StackProfile): Promise<string[]> {
  const existing = { auth: readIfPresent(authDevVarsPath), dashboard: readIfPresent(dashboardDevVarsPath) };
  const plan = planDevVars(existing, workerBindings(profile), await newSigningKey());
  // mode applies to a new file only: an existing one keeps the permissions its owner gave it.
  if (plan.auth !== existing.auth) writeFileSync(authDevVarsPath, plan.auth, { mode: 0o600 });
  if (plan.dashboard !== existing.dashboard) writeFileSync(dashboardDevVarsPath, plan.dashboard, { mode: 0o600 });
  return plan.notes;
}
