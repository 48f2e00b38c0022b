// Finds the browsers that e2e tests, benchmarks and `npm start` drive: Debian's chromium and
// firefox-esr, never puppeteer's downloads (they cannot reach their hosts on these machines; see
// docs/chromium.md). Installs a missing one with apt when we are root on Debian; otherwise says exactly
// what to run.
//   import { ensureChromium, ensureFirefox } from './ensure-browsers.mjs';
//   node scripts/ensure-browsers.mjs   → prints both paths
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** @param {string} name @returns {boolean} whether an executable `name` is on PATH */
function onPath(name) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false; // not in this PATH entry
    }
  });
}

/** Prints a plain message (no stack trace: the user can act on the message alone) and exits 1. */
function fail(message) {
  console.error(message);
  process.exit(1);
}

/** Debian's browsers, by the environment variable that overrides each one's path. */
const BROWSERS = {
  chromium: { env: 'CHROMIUM_PATH', path: '/usr/bin/chromium', package: 'chromium', name: 'Chromium' },
  firefox: { env: 'FIREFOX_PATH', path: '/usr/bin/firefox-esr', package: 'firefox-esr', name: 'Firefox ESR' },
  // Not a browser, but installed the same way: the real TURN server of the Network settings e2e.
  turn: { env: 'TURNSERVER_PATH', path: '/usr/bin/turnserver', package: 'coturn', name: 'coturn' },
};

/**
 * @param {keyof typeof BROWSERS} which
 * @returns {string} the executable: `$<env>` when set, else Debian's path, installed first with apt-get
 *   when missing and we are root. Exits the process (code 1) with a message when there is none and it
 *   cannot be installed here.
 */
function ensureBrowser(which) {
  const browser = BROWSERS[which];
  const hint = `Meshdeck needs Debian's ${browser.package}. Run: sudo apt-get update && sudo apt-get install -y ${browser.package}`;
  const fromEnv = process.env[browser.env];
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    fail(`${browser.env} is set to ${fromEnv}, but there is no file there. Fix it or unset it.`);
  }
  if (existsSync(browser.path)) return browser.path;

  if (process.getuid?.() !== 0 || !onPath('apt-get')) fail(hint);
  console.error(`${browser.name} is missing: installing Debian's ${browser.package} with apt-get (about 30 s)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', browser.package]]) {
    const { status, error } = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (error || status !== 0) fail(`apt-get ${args[0]} failed. ${hint}`);
  }
  if (!existsSync(browser.path)) fail(`apt-get finished, but ${browser.path} is still missing. ${hint}`);
  return browser.path;
}

/** @returns {string} Chromium's executable (see ensureBrowser) */
export const ensureChromium = () => ensureBrowser('chromium');
/** @returns {string} Firefox ESR's executable (see ensureBrowser) */
export const ensureFirefox = () => ensureBrowser('firefox');
/** @returns {string} coturn's turnserver (see ensureBrowser) */
export const ensureTurnServer = () => ensureBrowser('turn');

// Run directly (not imported): print the paths.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(ensureChromium());
  console.log(ensureFirefox());
}
