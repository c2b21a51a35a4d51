import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      '.stack',
      '.wrangler',
      '.bench',
      'dist',
      'types',
      '**/worker-configuration.d.ts',
      'drizzle',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // src/ must never depend on local tooling (scripts/): production bundles cannot contain it.
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['src/**/*.ts', 'cron/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/scripts/*', '**/scripts/**'],
              message: 'src/ and cron/ must not import local tooling from scripts/',
            },
          ],
        },
      ],
    },
  },
  {
    // k6 scripts run in k6's runtime, which provides these globals.
    files: ['k6/**/*.js'],
    languageOptions: { globals: { __ENV: 'readonly', __VU: 'readonly', __ITER: 'readonly', open: 'readonly' } },
  },
  {
    // src/lib is domain code: no env, no global clock. It receives config and a Clock.
    files: ['src/lib/**/*.ts'],
    ignores: ['src/lib/clock.ts', 'src/lib/**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='Date'][property.name='now']",
          message: 'use the injected Clock, not Date.now()',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'use the injected Clock, not new Date()',
        },
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'src/lib never reads env: take config as a parameter',
        },
      ],
    },
  },
);
