/**
 * The user's `Stop signaling` / `Resume signaling`: leaves or rejoins the signaling server while every
 * open connection stays, and resumes by itself when a stop with an end time runs out.
 */
import type { Clock, TimerGroup } from '../lib/clock';
import type { SignalingStop } from '../settings/settings';
import type { Signaling } from '../signaling/signaling';

interface SignalingStopDeps {
  clock: Clock;
  timers: TimerGroup;
  /** Signaling just left (`true`) or rejoined (`false`) the server because of the user's stop. */
  onChange(stopped: boolean): void;
}

export class SignalingStopSchedule {
  private paused = false;
  private resumeTimer: unknown = null;

  constructor(private readonly deps: SignalingStopDeps) {}

  /** Whether signaling is left because the user stopped it. */
  get isPaused(): boolean {
    return this.paused;
  }

  /** Whether `stop` is in force now. */
  inForce(stop: SignalingStop | null): boolean {
    return !!stop && (stop.until === null || this.deps.clock.now() < stop.until);
  }

  /** Marks signaling as paused or not when it starts, without touching a transport. */
  startWith(stop: SignalingStop | null): boolean {
    this.paused = this.inForce(stop);
    return this.paused;
  }

  /** Pauses or resumes `signaling` to match `stop`, and schedules the resume of a stop that ends. */
  reconcile(stop: SignalingStop | null, signaling: Signaling | null): void {
    this.cancelResume();
    if (!signaling) return;
    const stopped = this.inForce(stop);
    if (stopped && !this.paused) {
      this.paused = true;
      signaling.pause();
      this.deps.onChange(true);
    } else if (!stopped && this.paused) {
      this.paused = false;
      signaling.resume();
      this.deps.onChange(false);
    }
    if (stopped && stop?.until != null) {
      this.resumeTimer = this.deps.timers.timeout(() => this.reconcile(stop, signaling), stop.until - this.deps.clock.now());
    }
  }

  /** Signaling went away (the node went offline): nothing is paused or scheduled any more. */
  reset(): void {
    this.cancelResume();
    this.paused = false;
  }

  private cancelResume(): void {
    if (this.resumeTimer !== null) this.deps.timers.cancel(this.resumeTimer);
    this.resumeTimer = null;
  }
}
