import { defineConfig } from 'vitest/config';

// Three suites (see tests/README in the project README): unit runs anywhere; integration and e2e start
// real servers and browsers and must run inside a loopback-only network namespace (scripts/test.mjs).
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.{ts,tsx}'] } },
      { extends: true, test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 } },
      {
        extends: true,
        // The hostile-peer suite runs on its own (`npm run test:hostile`): its record storm stalls the
        // node host for up to 20 s in some runs (issue 10, open), and the suites after it went red in CI.
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          exclude: process.env.MESHDECK_HOSTILE === '1' ? [] : ['tests/e2e/hostile.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
