import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summaryReporter.ts'],
    include: ['{clusters,compatibility,policies,generators,programs,cli,test}/**/*.test.ts'],
    // API-server suites start real processes; a slow 2-core machine needs room for that.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
