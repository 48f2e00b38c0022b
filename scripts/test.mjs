// `npm test`: builds the extension for loopback, type-checks, then runs every suite (unit,
// integration, e2e) in one vitest run inside a loopback-only network namespace. Extra arguments go to
// vitest (e.g. `npm test -- --project unit`). Results: vitest's summary, and test-results/vitest.json
// for .ci/run's closing count, beside vitest's exit code in test-results/vitest-exit-code (a worker
// lost after its tests passed, or an unhandled error, fails the run without a failed test in the report).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { buildExtension, typecheck } from './build-extension.mjs';
import { ensureChromium, ensureFirefox, ensureTurnServer } from './ensure-browsers.mjs';
import { runInLoopbackNamespace } from './loopback-namespace.mjs';

// An earlier run's report must not stand for this one.
rmSync('test-results', { recursive: true, force: true });
const chromium = ensureChromium();
const firefox = ensureFirefox();
ensureTurnServer();
buildExtension();
typecheck();
const code = await runInLoopbackNamespace(
  [
    'npx', 'vitest', 'run',
    // One file at a time: the e2e and integration suites start browsers and servers, and this
    // machine has two cores.
    '--no-file-parallelism',
    '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json',
    ...process.argv.slice(2),
  ],
  { env: { ...process.env, CHROMIUM_PATH: chromium, FIREFOX_PATH: firefox } },
).catch((error) => {
  console.error(error.message);
  return 1;
});
mkdirSync('test-results', { recursive: true });
writeFileSync('test-results/vitest-exit-code', `${code}\n`);
process.exit(code);
