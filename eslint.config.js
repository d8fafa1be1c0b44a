import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What api/** may not import (api/server.ts, the composition root, may build the event cache). */
const API_LAYER_PATTERNS = [
  {
    group: ['**/*.activities.*', '**/*.repository.*', '**/outbox.appender*'],
    message:
      'The API reads a context through its *.queries module and writes through sagas or *.commands.',
  },
  {
    // Any workflows/ file except contracts/**, *.types.*, *.messages.* and *.description.*.
    regex: '(^|/)workflows/(?!contracts/)(?!(.*/)?[^/]+\\.(types|messages|description)\\.[^/]+$)',
    allowTypeImports: true,
    message:
      'The API imports workflows/contracts, *.types, *.messages and *.description; other workflow files only with `import type`.',
  },
];
const API_CACHE_PATTERN = {
  group: ['**/event.cache*'],
  message: 'The API reads events through booking.queries, which owns the cache.',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'generated/', '.stack/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no value imports of activities.
    files: ['workflows/**/*.ts', 'harness/bench/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'os', 'child_process'],
              message: 'Workflows must be deterministic: no Node built-ins.',
            },
            {
              group: ['**/activities/**'],
              message: 'Import activity types only (`import type`).',
              allowTypeImports: true,
            },
            {
              group: [
                '@prisma/*',
                'kafkajs',
                'ioredis',
                'pg',
                'hono',
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
              ],
              message: 'Workflows import only @temporalio/workflow and workflows/contracts.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Workflows must not read process.env.' },
      ],
    },
  },
  // Dependency rules between the top-level folders. Each folder's rule is its own object so
  // overrides of the same files above stay separate; the product/harness rule uses the
  // typescript-eslint twin of the rule so it adds to, not replaces, a folder's own restrictions.
  {
    // The API reads a context only through its read side (*.queries) and writes only through sagas
    // or a context's *.commands module; of the workflows it sees contracts, types and messages.
    files: ['api/**/*.ts'],
    ignores: ['api/server.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...API_LAYER_PATTERNS, API_CACHE_PATTERN] }],
    },
  },
  {
    // The API's composition root builds the event cache the read side and commands are given.
    files: ['api/server.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: API_LAYER_PATTERNS }] },
  },
  {
    files: [
      'workflows/**/*.ts',
      'activities/**/*.ts',
      'api/**/*.ts',
      'workers/**/*.ts',
      'platform/**/*.ts',
      'payment-gateway/**/*.ts',
      'prisma/**/*.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/harness/**', '**/test/**'],
              message: 'Product code never imports the harness (benches, demos, stack) or tests.',
            },
          ],
        },
      ],
    },
  },
  {
    // test/support may wrap harness code (e.g. the private Kafka, the scenarios) for the tests.
    files: ['test/**/*.ts'],
    ignores: ['test/support/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/harness/**'],
              message:
                'Tests import the harness (benches, demos, scenarios, stack, helpers) only through test/support.',
            },
          ],
        },
      ],
    },
  },
);
