/**
 * Writes the .dev.vars files wrangler dev reads: the local stack's URLs and a signing key generated
 * on this machine (kept across runs so tokens survive a restart; never committed: .gitignore).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { repoRoot, workerBindings, type StackProfile } from './stack/profile.ts';

export const authDevVarsPath = join(repoRoot, '.dev.vars');
export const dashboardDevVarsPath = join(repoRoot, 'src/functions/dashboard/.dev.vars');

function parseDevVars(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)='(.*)'$/.exec(line.trim());
    if (match?.[1]) vars[match[1]] = match[2] ?? '';
  }
  return vars;
}

function formatDevVars(vars: Record<string, string>): string {
  const header = '# Written by scripts/dev-vars.ts for the local stack. Local only; never commit.\n';
  // Single quotes: dotenv takes the value literally, so JSON keys keep their double quotes.
  return header + Object.entries(vars).map(([k, v]) => `${k}='${v}'`).join('\n') + '\n';
}

async function newSigningKey(): Promise<{ privateJwk: string; publicJwk: string }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `dev-${new Date().toISOString().slice(0, 10)}-${crypto.randomUUID().slice(0, 8)}`;
  const meta = { kid, alg: 'ES256', use: 'sig' };
  return {
    privateJwk: JSON.stringify({ ...(await exportJWK(privateKey)), ...meta }),
    publicJwk: JSON.stringify({ ...(await exportJWK(publicKey)), ...meta }),
  };
}

export async function writeDevVars(profile: StackProfile): Promise<void> {
  const existing = parseDevVars(authDevVarsPath);
  // The dashboard needs no key: it reads the auth Worker's JWKS through its AUTH service binding.
  const privateJwk = existing.JWT_PRIVATE_JWK || (await newSigningKey()).privateJwk;
  const local = {
    ...workerBindings(profile),
    ENVIRONMENT: 'development',
    JWT_ISSUER: 'http://127.0.0.1:8787',
  };
  writeFileSync(authDevVarsPath, formatDevVars({ ...local, JWT_PRIVATE_JWK: privateJwk }), { mode: 0o600 });
  writeFileSync(dashboardDevVarsPath, formatDevVars(local), { mode: 0o600 });
}
