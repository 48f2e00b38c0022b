/**
 * Pushes observed state to views at most once a second for routine changes (stats ticks), and on the
 * next microtask for state changes (a peer became ready, signaling closed), coalescing bursts.
 */
import type { Clock } from './clock';

const SNAPSHOT_INTERVAL_MS = 1000;

export class SnapshotPublisher<T> {
  private lastAt = -Infinity;
  private timer: unknown = null;
  private urgentQueued = false;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly take: () => T,
    private readonly publish: (snapshot: T) => void,
    /** Whether anyone reads snapshots now: none is built for nobody (a headless or simulated node without a view). */
    private readonly wanted: () => boolean = () => true,
  ) {}

  /** `urgent`: a state change the user must see at once; otherwise a routine update. */
  changed(urgent: boolean): void {
    if (this.stopped) return;
    if (urgent) {
      if (this.urgentQueued) return;
      this.urgentQueued = true;
      queueMicrotask(() => {
        this.urgentQueued = false;
        if (!this.stopped) this.flush();
      });
      return;
    }
    if (this.timer !== null) return;
    const wait = Math.max(0, this.lastAt + SNAPSHOT_INTERVAL_MS - this.clock.now());
    if (wait === 0) this.flush();
    else this.timer = this.clock.setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.lastAt = this.clock.now();
    if (this.wanted()) this.publish(this.take());
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
