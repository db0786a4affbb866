import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run against the workspaces' TypeScript sources (what the "source" export condition
// gives `npm start`), without a build step. Aliases rather than custom resolve conditions:
// conditions would also change how third-party packages resolve.
const workspaces = ['shared', 'enrichment', 'local', 'api', 'worker', 'e2e', 'infra'];
const alias = Object.fromEntries([
  // A subpath export (the page bundles enrichment's header recognition); before its package.
  [
    '@contacts/enrichment/recognize-columns',
    fileURLToPath(new URL('./enrichment/src/standardize/recognize-columns.ts', import.meta.url)),
  ],
  ...workspaces.map((name) => [
    `@contacts/${name}`,
    fileURLToPath(new URL(`./${name}/src/index.ts`, import.meta.url)),
  ]),
]);

export default defineConfig({
  resolve: { alias },
  test: {
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    allowOnly: false,
    // CI reads the JSON report for its closing 'N passed, N failed' line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.ci/out/vitest.json' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['*/src/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['*/test/**/*.test.ts'],
          // Records the api's and workers' AWS calls and checks them against the task roles, and
          // the api's answers against its OpenAPI document.
          globalSetup: ['e2e/src/iam/call-log-setup.ts', 'e2e/src/contract/contract-setup.ts'],
        },
      },
    ],
  },
});
