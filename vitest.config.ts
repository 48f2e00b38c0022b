import { defineConfig } from 'vitest/config';

// Drops GUN's greeting from the console of each test file of the suites that start GUN (issue 13).
const QUIET_GUN = 'tests/support/quiet-gun-greeting.ts';

// Three suites (see tests/README in the project README): unit runs anywhere; integration and e2e start
// real servers and browsers and must run inside a loopback-only network namespace (scripts/test.mjs).
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.{ts,tsx}'] } },
      { extends: true, test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], setupFiles: [QUIET_GUN], testTimeout: 30_000, hookTimeout: 30_000 } },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          setupFiles: [QUIET_GUN],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
