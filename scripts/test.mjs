// `npm test`: builds the extension for loopback, type-checks, then runs every suite (unit,
// integration, e2e) in one vitest run inside a loopback-only network namespace. Extra arguments go to
// vitest (e.g. `npm test -- --project unit`). Results: vitest's summary, and test-results/vitest.json
// for .ci/run's closing count.
import { buildExtension, typecheck } from './build-extension.mjs';
import { ensureChromium, ensureFirefox, ensureTurnServer } from './ensure-browsers.mjs';
import { runInLoopbackNamespace } from './loopback-namespace.mjs';

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
process.exit(code);
