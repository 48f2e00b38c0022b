// Builds the extension for Chrome (MV3, .output/chrome-mv3) and Firefox (MV2, .output/firefox-mv2). Endpoints come from WXT_SIGNALING_URL,
// WXT_RELAY_URLS, WXT_TRACKER_URLS, WXT_ROOM and WXT_ICE_SERVERS; tests and the demo pass the local server's loopback
// defaults explicitly, so a developer's own variables never point a test build elsewhere.
import { spawnSync } from 'node:child_process';

export const LOOPBACK_BUILD_ENV = {
  WXT_SIGNALING_URL: 'http://127.0.0.1:9000/peerjs',
  WXT_RELAY_URLS: 'http://127.0.0.1:9000/gun',
  WXT_TRACKER_URLS: 'ws://127.0.0.1:9000/tracker',
  WXT_ROOM: 'default',
  WXT_ICE_SERVERS: '[]',
  // Counts live RTCPeerConnections and timers in the node host for the leak test (entrypoints/background/host-place/instrument.ts).
  WXT_INSTRUMENT: '1',
};

/** @param {Record<string, string>} [env] build-time configuration */
export function buildExtension(env = LOOPBACK_BUILD_ENV) {
  for (const browser of ['chrome', 'firefox']) {
    const result = spawnSync('npx', ['wxt', 'build', '-b', browser], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
    if (result.status !== 0) {
      console.error(`Building the extension failed (npx wxt build -b ${browser}): see the output above.`);
      process.exit(result.status ?? 1);
    }
  }
}

/**
 * The build-time variables a store build may take from the environment: where its node meets others
 * (core/settings/settings.ts). Unset, they are the local server's loopback defaults.
 */
export const STORE_BUILD_VARIABLES = ['WXT_SIGNALING_URL', 'WXT_RELAY_URLS', 'WXT_TRACKER_URLS', 'WXT_ROOM', 'WXT_ICE_SERVERS'];

/**
 * The environment for a build that goes to the stores (`npm run zip`): `env` without any other `WXT_`
 * variable, since those make a test build (WXT_INSTRUMENT, and whatever test switch comes next), and
 * without MESHDECK_OUT_DIR, so the zips land in .output where the README says.
 * @param {Record<string, string | undefined>} env
 * @returns {Record<string, string | undefined>}
 */
export function storeBuildEnv(env) {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => name !== 'MESHDECK_OUT_DIR' && (!name.startsWith('WXT_') || STORE_BUILD_VARIABLES.includes(name))),
  );
}

/**
 * Builds the extension as a store would ship it (no test instruments, no debug hook) into
 * `<outDir>/chrome-mv3`, beside the test build, so that benchmarks measure what users get.
 */
export function buildStoreExtension(outDir) {
  const env = { ...LOOPBACK_BUILD_ENV, WXT_INSTRUMENT: '', MESHDECK_OUT_DIR: outDir };
  const result = spawnSync('npx', ['wxt', 'build'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error('Building the store flavour failed (npx wxt build)');
}

/** Type-checks the whole project (WXT writes .wxt/tsconfig.json during the build). */
export function typecheck() {
  const result = spawnSync('npx', ['tsc', '--noEmit', '-p', '.'], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('Type check failed (npx tsc --noEmit -p .).');
    process.exit(result.status ?? 1);
  }
}
