/**
 * A Clock the test drives (core/lib/clock.ts): time stands still until `advance(ms)`, which fires the
 * timeouts and intervals that fall due, in order of due time and then of arming, and lets pending
 * work settle after each firing. Nothing here touches the real timers, so a test that advances ten
 * minutes takes milliseconds, and one that never advances can rely on no timer of the code under test
 * firing at all.
 *
 * Settling waits for WebCrypto too. Its operations run on libuv's thread pool and resolve some event
 * loop turns later, however long the machine takes; were a timer to fire before a signature that
 * started earlier is done, a busy machine would see events in another order than an idle one (records
 * gone stale in fake time while their check was still running). So this module counts the calls to
 * `crypto.subtle` in flight (it wraps its methods once, leaving their results untouched) and
 * `settle()` returns only when none is left and a few turns passed quietly.
 */
import type { Clock } from '../../core/lib/clock';

interface FakeTimer {
  due: number;
  /** Arming order, the tie-break between timers due at the same time. */
  seq: number;
  /** null for a timeout; the period of an interval. */
  every: number | null;
  callback: () => void;
}

/** More firings than this in one `advance` means a timer re-arms itself at 0 ms forever. */
const MAX_FIRINGS = 1_000_000;

export class FakeClock implements Clock {
  private t: number;
  private nextHandle = 1;
  private seq = 0;
  private readonly timers = new Map<number, FakeTimer>();

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
      if (firings > MAX_FIRINGS) throw new Error(`FakeClock: more than ${MAX_FIRINGS} timer firings in one advance`);
      const next = this.nextDue(end);
      if (!next) break;
      const [handle, timer] = next;
      this.t = timer.due;
      if (timer.every === null) this.timers.delete(handle);
      else {
        timer.due += timer.every;
        timer.seq = this.seq++;
      }
      timer.callback();
      await settle();
    }
    this.t = end;
    await settle();
  }

  private arm(callback: () => void, ms: number, every: number | null): number {
    const handle = this.nextHandle++;
    this.timers.set(handle, { due: this.t + delay(ms), seq: this.seq++, every, callback });
    return handle;
  }

  private nextDue(end: number): [number, FakeTimer] | null {
    let best: [number, FakeTimer] | null = null;
    for (const entry of this.timers) {
      const timer = entry[1];
      if (timer.due > end) continue;
      if (!best || timer.due < best[1].due || (timer.due === best[1].due && timer.seq < best[1].seq)) best = entry;
    }
    return best;
  }
}

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

/**
 * Waits, without moving any fake clock, until `check()` holds, settling in between: for outcomes of
 * work that needs no time to pass (a handshake, a record checked and dialled). `limitMs` of real time
 * is only a safety net so that a broken test fails instead of hanging; nothing is asserted about how
 * long it took.
 */
export async function eventually(check: () => boolean, what = 'condition', limitMs = 5000): Promise<void> {
  const end = Date.now() + limitMs;
  for (await settle(); !check(); await settle()) {
    if (Date.now() > end) throw new Error(`${what}: not reached (no fake time passed while waiting)`);
    // Not a spin: a broken test should not take a core from the other work of the machine.
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }
}
