/**
 * The virtual clock of server/sim, under the name the tests use for it, and `eventually` for outcomes
 * that need no time to pass.
 */
import { settle } from '../../server/sim/virtual-clock';

export { VirtualClock as FakeClock, settle } from '../../server/sim/virtual-clock';

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
