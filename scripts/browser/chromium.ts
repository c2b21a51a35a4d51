/**
 * A real Chromium for the page tests: Debian's `chromium` package (installed with apt-get when missing
 * and we are root, as the stack installs redis-server), driven by playwright-core. Never
 * `npx playwright install`: it downloads a browser build, which a closed network refuses.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { ensurePackage } from '../stack/system-packages.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * As measured here (docs: /work/shared/FACTS.md): no sandbox as root, and no background networking,
 * without which Chromium floods a closed network with refused connections (updates, sync, QUIC).
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function ensureChromium(): string {
  ensurePackage({
    what: 'Chromium (for the dashboard page test)',
    debianPackage: 'chromium',
    brewPackage: '--cask chromium',
    isPresent: () => existsSync(CHROMIUM_PATH),
  });
  return CHROMIUM_PATH;
}

/** A headless Chromium with a fresh profile (its own --user-data-dir), removed on close. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const executablePath = ensureChromium();
  const profile = mkdtempSync(join(tmpdir(), 'edge-auth-chromium-'));
  // launchPersistentContext is how playwright takes --user-data-dir (it refuses the flag in args).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
