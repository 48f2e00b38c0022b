// Finds the Chromium that e2e tests and `npm start` drive: Debian's package, never puppeteer's download
// (that download cannot reach its host on these machines; see docs/chromium.md). Installs it with apt
// when we are root on Debian; otherwise says exactly what to run.
//   import { ensureChromium } from './ensure-chromium.mjs'; const executablePath = ensureChromium();
//   node scripts/ensure-chromium.mjs   → prints the path
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const INSTALL_HINT =
  "Meshdeck needs Debian's chromium. Run: sudo apt-get update && sudo apt-get install -y chromium";

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

/**
 * @returns {string} the Chromium executable: `$CHROMIUM_PATH` when set, else /usr/bin/chromium,
 *   installed first with apt-get when missing and we are root. Exits the process (code 1) with a
 *   message when there is no Chromium and it cannot be installed here.
 */
export function ensureChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    fail(`CHROMIUM_PATH is set to ${fromEnv}, but there is no file there. Fix it or unset it.`);
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;

  if (process.getuid?.() !== 0 || !onPath('apt-get')) fail(INSTALL_HINT);
  console.error("Chromium is missing: installing Debian's chromium with apt-get (about 30 s)…");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    const { status, error } = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (error || status !== 0) fail(`apt-get ${args[0]} failed. ${INSTALL_HINT}`);
  }
  if (!existsSync(DEBIAN_CHROMIUM)) fail(`apt-get finished, but ${DEBIAN_CHROMIUM} is still missing. ${INSTALL_HINT}`);
  return DEBIAN_CHROMIUM;
}

// Run directly (not imported): print the path.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(ensureChromium());
}
