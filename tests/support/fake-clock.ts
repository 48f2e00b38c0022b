/**
 * The virtual clock of server/sim, under the name the tests use for it, and `eventually` (the tests'
 * poller, tests/support/until.ts, settling instead of sleeping) for outcomes that need no time to pass.
 */
import type { Clock } from '../../core/lib/clock';
import { settle } from '../../server/sim/virtual-clock';
import { until } from './until';

export { VirtualClock as FakeClock, settle } from '../../server/sim/virtual-clock';

/**
 * The one poller (`until`) for outcomes of work that needs no time to pass (a handshake, a record
 * checked and dialled): asks `check()` after settling pending work, without moving any fake clock.
 * The 5 s of real time are only a safety net so that a broken test fails instead of hanging; nothing
 * is asserted about how long it took.
 */
export async function eventually(check: () => boolean, what = 'condition'): Promise<void> {
  // Every 1 ms, not a spin: a broken test should not take a core from the other work of the machine.
  const settledCheck = async () => {
    await settle();
    return check();
  };
  await until(settledCheck, 5000, `${what} (no fake time passed while waiting)`, Boolean, { everyMs: 1 });
}

/** The longest delay real timers honour (core/lib/clock.ts MAX_TIMER_MS, restated: a fake must not borrow the code under test). */
const REAL_TIMER_LIMIT_MS = 2 ** 31 - 1;

/**
 * `clock` with setTimeout's real limit, which VirtualClock does not have: a delay past 2^31−1 ms fires
 * after 1 ms, as in Node (browsers fire it at once). `overflows` counts the timers that did.
 */
export function withTimerOverflow(clock: Clock): Clock & { overflows: number } {
  const real = {
    overflows: 0,
    now: () => clock.now(),
    monotonic: () => clock.monotonic(),
    setTimeout(callback: () => void, ms: number): unknown {
      if (ms > REAL_TIMER_LIMIT_MS) real.overflows++;
      return clock.setTimeout(callback, ms > REAL_TIMER_LIMIT_MS ? 1 : ms);
    },
    clearTimeout: (handle: unknown) => clock.clearTimeout(handle),
    setInterval(callback: () => void, ms: number): unknown {
      if (ms > REAL_TIMER_LIMIT_MS) real.overflows++;
      return clock.setInterval(callback, ms > REAL_TIMER_LIMIT_MS ? 1 : ms);
    },
    clearInterval: (handle: unknown) => clock.clearInterval(handle),
  };
  return real;
}
