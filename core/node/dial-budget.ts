/**
 * How fast the auto-dialler may dial nodes this node has never been ready with.
 *
 * Every dial costs an RTCPeerConnection and tens of milliseconds of the host's main thread, and a
 * validly signed record of a node nobody runs (a Sybil storm's) costs its writer one signature. Without
 * a budget, a room full of such records kept the host busy dialling them for as long as they were
 * fresh (measured through a stock GUN relay: 7 dials every 6 s, bursts of 15–30 % of a core). Nodes
 * this node has met are dialled as often as the redial policy allows; strangers share a small budget,
 * with a burst that fills maxPeers slots of a newly started node at once.
 */
import type { Clock } from '../lib/clock';
import { TokenBucket } from '../lib/token-bucket';

/** Dials to strangers: one every two seconds, eight at once. */
export const STRANGER_DIALS = { perSecond: 0.5, burst: 8 };
/** Nodes remembered as met; the oldest are forgotten first. */
export const MET_KEPT = 1024;

export class DialBudget {
  private readonly metIds = new Set<string>();
  private readonly strangers: TokenBucket;

  constructor(
    private readonly clock: Clock,
    rate: { perSecond: number; burst: number } = STRANGER_DIALS,
  ) {
    this.strangers = new TokenBucket(rate.perSecond, rate.burst, clock.monotonic());
  }

  /** A connection with `nodeId` became ready: its later dials are not budgeted. */
  met(nodeId: string): void {
    this.metIds.delete(nodeId);
    this.metIds.add(nodeId);
    if (this.metIds.size > MET_KEPT) this.metIds.delete(this.metIds.keys().next().value!);
  }

  /** Whether a dial to `nodeId` may start now; a stranger's spends from the budget. */
  take(nodeId: string): boolean {
    return this.metIds.has(nodeId) || this.strangers.take(this.clock.monotonic());
  }

  /** Milliseconds until a dial to `nodeId` may start (0: now), spending nothing. */
  msUntil(nodeId: string): number {
    return this.metIds.has(nodeId) ? 0 : this.strangers.msUntil(this.clock.monotonic());
  }
}
