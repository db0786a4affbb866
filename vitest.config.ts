import { defineConfig } from 'vitest/config';

// Workspace packages export their TypeScript sources under the "source" condition,
// so tests run against src/ without a build step (the same condition `npm start` uses).
const conditions = ['source', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    allowOnly: false,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['*/src/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['*/test/**/*.test.ts'] },
      },
    ],
  },
});
