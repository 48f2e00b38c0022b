/**
 * A Clock driven by its owner (core/lib/clock.ts), for tests and the mesh simulation (server/sim):
 * time stands still until `advance(ms)`, which fires the timeouts and intervals that fall due, in
 * order of due time and then of arming, and lets pending work settle after each firing. Nothing here
 * touches the real timers, so advancing ten minutes takes milliseconds, and code that never advances
 * can rely on no timer of the code under it firing at all. Timers wait in a binary heap: the
 * simulation keeps thousands armed (every frame in flight is one).
 *
 * Settling waits for WebCrypto too. Its operations run on libuv's thread pool and resolve some event
 * loop turns later, however long the machine takes; were a timer to fire before a signature that
 * started earlier is done, a busy machine would see events in another order than an idle one (records
 * gone stale in fake time while their check was still running). So this module counts the calls to
 * `crypto.subtle` in flight (it wraps its methods once, leaving their results untouched) and
 * `settle()` returns only when none is left and a few turns passed quietly.
 */
import type { Clock } from '../../core/lib/clock';

interface Timer {
  handle: number;
  due: number;
  /** Arming order, the tie-break between timers due at the same time. */
  seq: number;
  /** null for a timeout; the period of an interval. */
  every: number | null;
  callback: () => void;
}

/** More firings than this in one `advance` means a timer re-arms itself at 0 ms forever. */
const MAX_FIRINGS = 1_000_000;

export class VirtualClock implements Clock {
  private t: number;
  private nextHandle = 1;
  private seq = 0;
  /** Armed timers by handle; the heap may still hold cleared ones, skipped when they come up. */
  private readonly timers = new Map<number, Timer>();
  private readonly queue = new TimerHeap();

  /** Starts at `start` ms since the epoch (a fixed instant, so that runs are alike). */
  constructor(private readonly start = Date.UTC(2025, 0, 1)) {
    this.t = start;
  }

  private wallStep = 0;

  now(): number {
    return this.t + this.wallStep;
  }

  /** Moves only with advance(): a wall-clock step (stepWall) leaves it alone. */
  monotonic(): number {
    return this.t - this.start;
  }

  /** Steps the wall clock (an NTP correction, a user changing the time) without time passing. */
  stepWall(ms: number): void {
    this.wallStep += ms;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    return this.arm(callback, ms, null);
  }

  setInterval(callback: () => void, ms: number): unknown {
    // As in browsers, an interval fires at most once per ms: a 0 ms interval would never let time move.
    return this.arm(callback, ms, Math.max(1, delay(ms)));
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  clearInterval(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Timeouts and intervals armed and not cleared (a teardown test expects 0). */
  get pending(): number {
    return this.timers.size;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way (a timer armed by a
   * callback fires in the same call if it falls due in time), with `settle()` before the first firing,
   * after each one and at the end.
   */
  async advance(ms: number): Promise<void> {
    const end = this.t + Math.max(0, ms);
    await settle();
    for (let firings = 0; ; firings++) {
      if (firings > MAX_FIRINGS) throw new Error(`VirtualClock: more than ${MAX_FIRINGS} timer firings in one advance`);
      const timer = this.nextDue(end);
      if (!timer) break;
      this.t = timer.due;
      if (timer.every === null) this.timers.delete(timer.handle);
      else {
        const next = { ...timer, due: timer.due + timer.every, seq: this.seq++ };
        this.timers.set(next.handle, next);
        this.queue.push(next);
      }
      timer.callback();
      await settle();
    }
    this.t = end;
    await settle();
  }

  private arm(callback: () => void, ms: number, every: number | null): number {
    const timer = { handle: this.nextHandle++, due: this.t + delay(ms), seq: this.seq++, every, callback };
    this.timers.set(timer.handle, timer);
    this.queue.push(timer);
    return timer.handle;
  }

  /** The armed timer due first, if it is due by `end`, taken off the heap. */
  private nextDue(end: number): Timer | null {
    for (let top = this.queue.peek(); top && top.due <= end; top = this.queue.peek()) {
      this.queue.pop();
      // A cleared timer is gone from the map; an interval's entry is replaced on each firing.
      if (this.timers.get(top.handle) === top) return top;
    }
    return null;
  }
}

/** A binary min-heap of timers by due time, then arming order. */
class TimerHeap {
  private readonly items: Timer[] = [];

  peek(): Timer | undefined {
    return this.items[0];
  }

  push(timer: Timer): void {
    const items = this.items;
    let i = items.push(timer) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): Timer | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (!items.length || !last) return top;
    items[0] = last;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < items.length && before(items[left]!, items[least]!)) least = left;
      if (right < items.length && before(items[right]!, items[least]!)) least = right;
      if (least === i) break;
      [items[i], items[least]] = [items[least]!, items[i]!];
      i = least;
    }
    return top;
  }
}

const before = (a: Timer, b: Timer): boolean => a.due < b.due || (a.due === b.due && a.seq < b.seq);

const delay = (ms: number): number => (Number.isFinite(ms) && ms > 0 ? ms : 0);

let cryptoInFlight = 0;

/** Wraps every method of `crypto.subtle` to count its calls in flight (once per module instance). */
function countWebCrypto(): void {
  const subtle = globalThis.crypto.subtle;
  const proto = Object.getPrototypeOf(subtle) as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const method = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
    if (name === 'constructor' || typeof method !== 'function') continue;
    Object.defineProperty(subtle, name, {
      configurable: true,
      writable: true,
      value(...args: unknown[]): Promise<unknown> {
        cryptoInFlight++;
        let result: Promise<unknown>;
        try {
          result = Promise.resolve((method as (...a: unknown[]) => Promise<unknown>).apply(subtle, args));
        } catch (error) {
          result = Promise.reject(error);
        }
        const done = () => void cryptoInFlight--;
        result.then(done, done);
        return result;
      },
    });
  }
}
countWebCrypto();

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Lets queued work run to its end: microtasks and what they queue in turn (promise chains, a fake
 * link's delivery), and every WebCrypto call in flight, until `quietTurns` turns of the real event
 * loop in a row ran with no WebCrypto call pending.
 */
export async function settle(quietTurns = 5): Promise<void> {
  for (let quiet = 0; quiet < quietTurns; ) {
    await turn();
    quiet = cryptoInFlight === 0 ? quiet + 1 : 0;
  }
}
