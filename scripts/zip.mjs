// `npm run zip`: the packages to publish, built as users get them (no test instruments; see
// storeBuildEnv), in .output: meshdeck-<version>-chrome.zip for the Chrome Web Store, and
// meshdeck-<version>-firefox.zip with meshdeck-<version>-sources.zip for addons.mozilla.org.
// `node scripts/zip.mjs firefox` (`npm run zip:firefox`) packages one browser only.
import { spawnSync } from 'node:child_process';
import { storeBuildEnv } from './build-extension.mjs';

const browsers = process.argv.length > 2 ? process.argv.slice(2) : ['chrome', 'firefox'];
for (const browser of browsers) {
  const result = spawnSync('npx', ['wxt', 'zip', '-b', browser], { stdio: ['ignore', 'inherit', 'inherit'], env: storeBuildEnv(process.env) });
  if (result.status !== 0) {
    console.error(`Packaging failed (npx wxt zip -b ${browser}): see the output above.`);
    process.exit(result.status ?? 1);
  }
}
