/**
 * Loads GUN in Node without its greeting (issue 13). The first time gun.js runs in a process, it prints
 * "Hello wonderful person! :) Thanks for using GUN, please ask for help on http://chat.gun.eco …"
 * (`Gun.log.once("welcome", …)`). No option turns this off: `Gun.log.off` can only be set after the
 * module has run. The line would open `npm start`'s status, the server's banner and every test worker's
 * log. `requireGun` loads GUN with exactly that line filtered out of console.log and every other line
 * passed through. GUN's other banners, "AXE relay enabled!" and "Multicast on …", appear only for an
 * instance made with AXE or multicast on, and every instance in this project sets `axe: false, multicast: false`.
 *
 * Node only (server/, scripts/, tests/, bench/). The extension's bundles never import this file: they
 * import `gun/gun` through core/discovery/gun-rendezvous.ts, and the browser build is unchanged.
 */
import { createRequire } from 'node:module';

/** The start of gun.js's welcome line, as GUN 0.2020.x prints it. */
const GUN_GREETING = /^Hello wonderful person! :\) Thanks for using GUN\b/;

/** Whether the arguments of one console.log call are GUN's greeting: a single string that starts like it. */
export function isGunGreeting(args: readonly unknown[]): boolean {
  return args.length === 1 && typeof args[0] === 'string' && GUN_GREETING.test(args[0]);
}

/**
 * Runs `load` with GUN's greeting filtered out of `target.log` (console by default) and returns what it
 * returns. `target.log` is restored afterwards, also when `load` throws. It must be synchronous: the filter
 * is in place only while `load` runs. GUN looks `console.log` up on each call, so replacing it for that
 * time is enough.
 */
export function withoutGunGreeting<T>(load: () => T, target: Pick<Console, 'log'> = console): T {
  const log = target.log;
  target.log = (...args: unknown[]) => {
    if (!isGunGreeting(args)) log.apply(target, args);
  };
  try {
    return load();
  } finally {
    target.log = log;
  }
}

const require = createRequire(import.meta.url);

/**
 * `require(id)` for one of GUN's entries, without the greeting: `gun` for the relay (gun.js with its
 * Node adapters) or `gun/gun` for a client (the entry core/ imports). Both run the same gun.js, and Node
 * runs a module once per process. So whichever loads first spends the greeting, and a later
 * `import Gun from 'gun/gun'` (core/discovery/gun-rendezvous.ts) gets the cached module and prints nothing.
 */
export function requireGun(id: 'gun' | 'gun/gun'): unknown {
  return withoutGunGreeting(() => require(id) as unknown);
}
