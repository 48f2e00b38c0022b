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
 * The longest delay setTimeout honours: browsers and Node hold it in a signed 32-bit integer and fire a
 * longer one at once (Node after 1 ms, with a warning): some 24.8 days.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Owns a set of timers so that one `clear()` releases all of them (a connection's, a node's).
 * `size` lets teardown tests assert that nothing is left.
 */
export class TimerGroup {
  /** Each timeout by its handle (given out by timeout()), with the clock's timer armed for it now. */
  private readonly timeouts = new Map<object, unknown>();
  private readonly intervals = new Set<unknown>();

  constructor(readonly clock: Clock) {}

  get size(): number {
    return this.timeouts.size + this.intervals.size;
  }

  /**
   * Calls `callback` once after `ms`. A wait past MAX_TIMER_MS is armed in steps of at most that, so it
   * fires when due, not at once (a signaling stop's resume reconciled in a loop: issue 23, item 12).
   */
  timeout(callback: () => void, ms: number): unknown {
    const handle = {};
    const arm = (left: number): void => {
      const step = Math.min(left, MAX_TIMER_MS);
      const timer = this.clock.setTimeout(() => {
        if (left > step) return arm(left - step);
        this.timeouts.delete(handle);
        callback();
      }, step);
      this.timeouts.set(handle, timer);
    };
    arm(ms);
    return handle;
  }

  interval(callback: () => void, ms: number): unknown {
    const handle = this.clock.setInterval(callback, ms);
    this.intervals.add(handle);
    return handle;
  }

  cancel(handle: unknown): void {
    const timer = this.timeouts.get(handle as object);
    if (this.timeouts.delete(handle as object)) this.clock.clearTimeout(timer);
    if (this.intervals.delete(handle)) this.clock.clearInterval(handle);
  }

  clear(): void {
    for (const timer of this.timeouts.values()) this.clock.clearTimeout(timer);
    for (const handle of this.intervals) this.clock.clearInterval(handle);
    this.timeouts.clear();
    this.intervals.clear();
  }
}
