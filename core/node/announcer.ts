/**
 * Writes this node's signed record to the rendezvous: every ANNOUNCE_INTERVAL_MS, at once when asked,
 * and when its ready neighbours change, then at most once a NEIGHBOUR_ANNOUNCE_MIN_MS with one
 * announce pending at most (a burst of connections costs one write, not one each).
 */
import type { Clock, TimerGroup } from '../lib/clock';
import type { Identity } from '../identity/identity';
import { ANNOUNCE_INTERVAL_MS, signRecord, type RecordContent } from '../discovery/rendezvous-record';
import type { Rendezvous } from '../discovery/rendezvous';

export const NEIGHBOUR_ANNOUNCE_MIN_MS = 1000;

export interface AnnouncerDeps {
  identity: Identity;
  clock: Clock;
  timers: TimerGroup;
  /** What the record says now; null while the node has nothing to announce. */
  content(): RecordContent | null;
  /** Where to write; null while offline. Read again after signing: the node may have gone offline. */
  rendezvous(): Rendezvous | null;
  onAnnounced(at: number): void;
  onError(error: unknown): void;
}

export class Announcer {
  /** The last record's date: each record is dated after it. */
  private lastAt = 0;
  /** When the last announce began, on the clock: the spacing of neighbour announces counts from it. */
  private lastStartedAt = 0;
  private pending: unknown = null;

  constructor(private readonly deps: AnnouncerDeps) {}

  /** Announces now and every ANNOUNCE_INTERVAL_MS on the node's timers (cleared when it goes offline). */
  start(): void {
    this.pending = null;
    this.now();
    this.deps.timers.interval(() => this.now(), ANNOUNCE_INTERVAL_MS);
  }

  /** Announces at once (signaling stopped or resumed, a relay came back). */
  now(): void {
    this.announce().catch((error: unknown) => this.deps.onError(error));
  }

  /** The ready neighbours changed: announce now, or as soon as the spacing allows. */
  neighboursChanged(): void {
    if (this.pending !== null || !this.deps.rendezvous()) return;
    const wait = this.lastStartedAt + NEIGHBOUR_ANNOUNCE_MIN_MS - this.deps.clock.now();
    if (wait <= 0) return this.now();
    this.pending = this.deps.timers.timeout(() => {
      this.pending = null;
      this.now();
    }, wait);
  }

  /** The node went offline: the pending announce, if any, is dropped. */
  stop(): void {
    if (this.pending !== null) this.deps.timers.cancel(this.pending);
    this.pending = null;
  }

  private async announce(): Promise<void> {
    const content = this.deps.content();
    const rendezvous = this.deps.rendezvous();
    if (!content || !rendezvous) return;
    // Strictly newer than the last record: a reader keeps a record only over an older one, and two
    // announces can fall in one millisecond (signaling opened just after the first one).
    this.lastStartedAt = this.deps.clock.now();
    const at = Math.max(this.lastStartedAt, this.lastAt + 1);
    this.lastAt = at;
    const record = await signRecord(this.deps.identity, content, at);
    // A newer announce started while this one was signed: it goes out instead (never the older last).
    if (this.deps.rendezvous() !== rendezvous || this.lastAt !== at) return;
    rendezvous.announce(record);
    this.deps.onAnnounced(at);
  }
}
