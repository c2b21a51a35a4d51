import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { testBindings } from './tests/test-bindings.ts';

const bindings = await testBindings();

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: { bindings },
    }),
  ],
  test: {
    include: ['tests/**/*.test.ts', 'src/**/*.test.ts', 'cron/**/*.test.ts'],
    globalSetup: ['./tests/global-setup.ts'],
    // The stack is shared by every file: tests use unique emails and keys instead of truncating tables.
    // Files run one at a time: outage tests stop Redis or Postgres, which would break a neighbour.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
