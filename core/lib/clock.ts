/** Time and timers, injected so tests can drive them and teardown can be checked. */
export interface Clock {
  /** ms since the epoch: for what is shown or signed, never for budgets and deadlines */
  now(): number;
  /**
   * ms on a clock that only moves forward at a steady rate (performance.now): budgets, round trips and
   * deadlines, so that a step of the wall clock neither closes every peer nor lifts every limit.
   */
  monotonic(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  setInterval: (callback, ms) => globalThis.setInterval(callback, ms),
  clearInterval: (handle) => globalThis.clearInterval(handle as ReturnType<typeof setInterval>),
};

/**
 * Owns a set of timers so that one `clear()` releases all of them (a connection's, a node's).
 * `size` lets teardown tests assert that nothing is left.
 */
export class TimerGroup {
  private readonly timeouts = new Set<unknown>();
  private readonly intervals = new Set<unknown>();

  constructor(readonly clock: Clock) {}

  get size(): number {
    return this.timeouts.size + this.intervals.size;
  }

  timeout(callback: () => void, ms: number): unknown {
    const handle = this.clock.setTimeout(() => {
      this.timeouts.delete(handle);
      callback();
    }, ms);
    this.timeouts.add(handle);
    return handle;
  }

  interval(callback: () => void, ms: number): unknown {
    const handle = this.clock.setInterval(callback, ms);
    this.intervals.add(handle);
    return handle;
  }

  cancel(handle: unknown): void {
    if (this.timeouts.delete(handle)) this.clock.clearTimeout(handle);
    if (this.intervals.delete(handle)) this.clock.clearInterval(handle);
  }

  clear(): void {
    for (const handle of this.timeouts) this.clock.clearTimeout(handle);
    for (const handle of this.intervals) this.clock.clearInterval(handle);
    this.timeouts.clear();
    this.intervals.clear();
  }
}
