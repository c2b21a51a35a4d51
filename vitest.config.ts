import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { testBindings } from './tests/test-bindings.ts';
import { auxiliaryAuthBindings, auxiliaryAuthWorkers } from './tests/auth-workers.ts';
import { buildDashboardPage } from './scripts/build-dashboard-page.ts';

const bindings = await testBindings();

// wrangler warns when a secret the config requires is not in the environment; the tests pass them as
// bindings, so mirror them here to keep the output to what matters.
for (const name of ['DATABASE_URL', 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN', 'JWT_PRIVATE_JWK'])
  process.env[name] ??= bindings[name];

// The dashboard has no copy of the keys: it reads the auth Worker's through its AUTH binding.
// (JWT_PRIVATE_JWK stays: tests/dashboard/admin-session.ts signs tokens as the auth Worker would.)
const { JWT_PUBLIC_JWKS: _authOnly, ...dashboardBindings } = bindings;

// One project per Worker, each running its tests inside workerd with that Worker as `main`, and one
// in Node for the local tooling (scripts/).
export default defineConfig({
  test: {
    globalSetup: ['./tests/global-setup.ts'],
    // The stack is shared by every file: tests use unique emails and keys instead of truncating tables.
    // Files run one at a time: outage tests stop Redis or Postgres, which would break a neighbour.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' }, miniflare: { bindings } })],
        test: {
          name: 'auth',
          include: ['tests/**/*.test.ts', 'src/**/*.test.ts', 'cron/**/*.test.ts'],
          exclude: ['tests/dashboard/**', 'tests/node/**', 'tests/stack/**', 'tests/browser/**', '**/node_modules/**'],
        },
      },
      {
        // A function: the auth Worker is bundled, and the page built (its wrangler.toml [assets], which
        // wrangler's [build] makes for dev and deploy), only when the dashboard's tests run.
        plugins: [
          cloudflareTest(async () => {
            await buildDashboardPage();
            return {
              wrangler: { configPath: './src/functions/dashboard/wrangler.toml' },
              miniflare: {
                bindings: dashboardBindings,
                // AUTH (edge-auth) comes from the dashboard's wrangler.toml; these two are the tests' own.
                serviceBindings: auxiliaryAuthBindings,
                workers: await auxiliaryAuthWorkers(bindings),
              },
            };
          }),
        ],
        test: { name: 'dashboard', include: ['tests/dashboard/**/*.test.ts'] },
      },
      {
        // The local tooling runs in Node, so its tests do too: unit tests beside the scripts; tests/stack/,
        // which drive a stack of their own (spawn, signal and restart its servers); and tests/node/, for
        // what a Worker cannot do (migrations on a database of their own, over a Postgres connection).
        test: {
          name: 'node',
          environment: 'node',
          include: [
            'scripts/**/*.test.ts',
            'tests/stack/**/*.test.ts',
            'tests/node/**/*.test.ts',
            // The dashboard page in a real Chromium, against both Workers served on real ports.
            'tests/browser/**/*.test.ts',
          ],
        },
      },
    ],
  },
});
