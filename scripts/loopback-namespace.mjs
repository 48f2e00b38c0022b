// Runs a command in a fresh network namespace whose only interface is loopback, so that nothing it
// starts (servers, browsers, tests) can reach any other address. DESIGN.md makes this mandatory for
// every test and script that starts a server or a browser.
//   import { runInLoopbackNamespace } from './loopback-namespace.mjs';
//   process.exitCode = await runInLoopbackNamespace(['npx', 'vitest', 'run', '--project', 'integration']);
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

// Brings `lo` up (a new namespace starts with it down), then execs the command in place of the shell
// so that signals reach it directly. /usr/sbin is not on a normal user's PATH, but `ip` lives there.
const SETUP = 'PATH="$PATH:/usr/sbin:/sbin"; ip link set lo up && exec "$@"';
const IP_PATH = { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` };

/**
 * @returns {boolean} whether this process's network namespace has no interface but `lo`.
 * Reads /proc/self/net/dev, not /sys/class/net: sysfs shows the namespace of whoever mounted it, so
 * inside `unshare -n` /sys/class/net still lists the host's interfaces.
 */
export function isInLoopbackNamespace() {
  const names = readFileSync('/proc/self/net/dev', 'utf8')
    .split('\n')
    .slice(2) // two header lines
    .map((line) => line.split(':')[0]?.trim())
    .filter(Boolean);
  return names.length === 1 && names[0] === 'lo';
}

/**
 * While a Firefox runs, the namespace's `lo` carries the default route: Firefox gathers ICE candidates
 * only from the default route's source address, and a loopback-only namespace has none
 * (docs/firefox.md). Routed to lo, an address that is not local still reaches nothing. Only while a
 * Firefox runs, because with it in place Node's WebRTC (@roamhq/wrtc) crashes the process when a
 * flooded connection is closed (seen every run of the hostile e2e). Refuses to touch the routes of a
 * namespace that is not loopback-only. Counted: the route goes when the last holder releases it.
 * @returns {() => void} releases this hold
 */
export function holdLoopbackDefaultRoute() {
  if (!isInLoopbackNamespace()) throw new Error('refusing to change routes outside a loopback-only network namespace');
  if (routeHolds++ === 0) {
    const added = spawnSync('ip', ['route', 'replace', 'default', 'dev', 'lo', 'src', '127.0.0.1'], { encoding: 'utf8', env: IP_PATH });
    if (added.status !== 0) {
      routeHolds--;
      throw new Error(`could not route the default to lo for Firefox: ${(added.error?.message ?? added.stderr).trim()}`);
    }
    process.once('exit', dropDefaultRoute);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--routeHolds === 0) dropDefaultRoute();
  };
}

let routeHolds = 0;

function dropDefaultRoute() {
  spawnSync('ip', ['route', 'del', 'default', 'dev', 'lo'], { env: IP_PATH });
}

/** @returns {string[]} the unshare flags that work here: -n as root, else -rn (a user namespace). */
function unshareFlags() {
  const candidates = process.getuid?.() === 0 ? ['-n', '-rn'] : ['-rn'];
  const failures = [];
  for (const flag of candidates) {
    const probe = spawnSync('unshare', [flag, 'sh', '-c', SETUP, 'sh', 'true'], { encoding: 'utf8' });
    if (probe.status === 0) return [flag];
    failures.push(`unshare ${flag}: ${(probe.error?.message ?? probe.stderr).trim() || `exit ${probe.status}`}`);
  }
  throw new Error(
    [
      'Cannot create a loopback-only network namespace, which Meshdeck needs to run servers and browsers safely.',
      ...failures.map((line) => `  ${line}`),
      'Run as root (unshare -n), or allow unprivileged user namespaces (unshare -rn; Debian allows them by',
      'default, containers often block them), and make sure util-linux (unshare) and iproute2 (ip) are installed.',
    ].join('\n'),
  );
}

/**
 * Runs `command` (argv form, no shell) inside `unshare -n` (root) or `unshare -rn` (not root) with `lo`
 * up, stdio inherited. SIGINT and SIGTERM sent to this process are passed on to the command.
 * @param {string[]} command
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv }} [options]
 * @returns {Promise<number>} the command's exit code (128 + signal number if a signal ended it)
 */
export function runInLoopbackNamespace(command, options = {}) {
  if (command.length === 0) return Promise.reject(new Error('runInLoopbackNamespace: no command given'));
  let flags;
  try {
    flags = unshareFlags();
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', [...flags, 'sh', '-c', SETUP, 'sh', ...command], {
      stdio: 'inherit',
      cwd: options.cwd,
      env: options.env ?? process.env,
    });
    // unshare and sh exec in turn, so the child's pid is the command's own pid.
    const forward = (/** @type {NodeJS.Signals} */ signal) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    const done = () => process.off('SIGINT', forward).off('SIGTERM', forward);
    child.once('error', (error) => {
      done();
      reject(error);
    });
    child.once('exit', (code, signal) => {
      done();
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}
