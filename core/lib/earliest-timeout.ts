/**
 * One pending call, due at the earliest of the deadlines asked for: a later request never delays it,
 * an earlier one brings it forward. For a retry that several waits may ask for (the auto-dialler's
 * sweep once a dial budget allows, the child reader's next paced fetch), where keeping the first
 * request's wait would hold a sooner one back.
 */
import type { TimerGroup } from './clock';

export class EarliestTimeout {
  private pending: { handle: unknown; at: number } | null = null;

  constructor(
    private readonly timers: TimerGroup,
    /** The clock the deadlines are compared on. */
    private readonly now: () => number,
    private readonly callback: () => void,
  ) {}

  /** Calls back within `ms`, or sooner if already due sooner. */
  within(ms: number): void {
    const at = this.now() + ms;
    if (this.pending) {
      if (this.pending.at <= at) return;
      this.timers.cancel(this.pending.handle);
    }
    const handle = this.timers.timeout(() => {
      this.pending = null;
      this.callback();
    }, ms);
    this.pending = { handle, at };
  }

  cancel(): void {
    if (this.pending) this.timers.cancel(this.pending.handle);
    this.pending = null;
  }
}
