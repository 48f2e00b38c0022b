import { AsyncLocalStorage, createHook } from 'node:async_hooks';

/**
 * Every `setTimeout`/`setInterval` created while code runs inside `run()`, and (because async context
 * follows callbacks) by the callbacks of those timers, sockets and servers in turn. A `peer` or GUN
 * timer chain that re-arms itself therefore stays tracked, and `clear()` cuts it.
 *
 * Caveat: GUN's scheduler (`setTimeout.turn`) is shared by every GUN instance in the process, so a GUN
 * client in the same process may occasionally run a step inside the server's context; a timer it
 * creates there is cleared by `close()` too. Tests close their clients before the server.
 */
export class TimerScope {
  readonly #context = new AsyncLocalStorage<true>();
  readonly #timers = new Map<number, NodeJS.Timeout>();
  readonly #hook = createHook({
    init: (asyncId, type, _triggerId, resource) => {
      if (type === 'Timeout' && this.#context.getStore()) this.#timers.set(asyncId, resource as NodeJS.Timeout);
    },
    destroy: (asyncId) => {
      this.#timers.delete(asyncId);
    },
  }).enable();

  run<T>(fn: () => T): T {
    return this.#context.run(true, fn);
  }

  /** Clears every tracked timer and stops tracking. */
  clear(): void {
    this.#hook.disable();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
