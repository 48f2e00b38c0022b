/**
 * How fast the auto-dialler may dial nodes this node has never been ready with.
 *
 * Every dial costs an RTCPeerConnection and tens of milliseconds of the host's main thread, and a
 * validly signed record of a node nobody runs (a Sybil storm's) costs its writer one signature. Without
 * a budget, a room full of such records kept the host busy dialling them for as long as they were
 * fresh (measured through a stock GUN relay: 7 dials every 6 s, bursts of 15–30 % of a core). Nodes
 * this node has met are dialled as often as the redial policy allows; strangers share a small budget,
 * with a burst that fills maxPeers slots of a newly started node at once.
 *
 * Strangers picked by the sweep (any known record, at random) are further spaced out while they fail
 * to answer: each unanswered dial doubles the gap before the next, up to SWEEP_GAP_MAX_MS, and each
 * stranger this node dialled that answers halves it (under SWEEP_GAP_MIN_MS it closes). After a storm
 * of 500 Sybils the sweep dialled one every 2 s for as long as the records stayed fresh, half a percent to a percent of a core for minutes
 * (issue 22); spaced out, a room of records nobody answers costs a dial every 16 s. Newly found nodes
 * (newly-found.ts) keep the plain budget: a newcomer is dialled at once whatever the sweep met before.
 */
import type { Clock } from '../lib/clock';
import { TokenBucket } from '../lib/token-bucket';

/** Dials to strangers: one every two seconds, eight at once. */
export const STRANGER_DIALS = { perSecond: 0.5, burst: 8 };
/** The sweep's gap after its first unanswered dial; it doubles with each further one. */
export const SWEEP_GAP_MIN_MS = 2000;
export const SWEEP_GAP_MAX_MS = 16_000;
/** Nodes remembered as met; the oldest are forgotten first. */
export const MET_KEPT = 1024;

/** Whether a dial is the sweep's (any known record) or to a newly found node. */
export type DialKind = 'sweep' | 'newly-found';

export class DialBudget {
  private readonly metIds = new Set<string>();
  private readonly strangers: TokenBucket;
  /** The gap kept between the sweep's dials to strangers (0 while they answer). */
  private sweepGapMs = 0;
  /** The monotonic time before which the sweep dials no stranger. */
  private sweepNotBefore = 0;

  constructor(
    private readonly clock: Clock,
    rate: { perSecond: number; burst: number } = STRANGER_DIALS,
  ) {
    this.strangers = new TokenBucket(rate.perSecond, rate.burst, clock.monotonic());
  }

  /**
   * A connection with `nodeId` became ready: its later dials are not budgeted. A stranger this node
   * dialled answering halves the sweep's gap; a node met before, or one that dialled in (anyone can
   * make those), does not.
   */
  met(nodeId: string, { ourDial = false }: { ourDial?: boolean } = {}): void {
    const stranger = !this.metIds.has(nodeId);
    this.metIds.delete(nodeId);
    this.metIds.add(nodeId);
    if (this.metIds.size > MET_KEPT) this.metIds.delete(this.metIds.keys().next().value!);
    // Halved, not closed: one newcomer ready amid a storm's Sybils let the sweep's whole burst at them.
    if (stranger && ourDial) this.sweepGapMs = this.sweepGapMs / 2 < SWEEP_GAP_MIN_MS ? 0 : this.sweepGapMs / 2;
  }

  /** A dial of this node's to a stranger never opened: the sweep's next dial waits longer. */
  unanswered(nodeId: string): void {
    if (this.metIds.has(nodeId)) return;
    this.sweepGapMs = Math.min(SWEEP_GAP_MAX_MS, Math.max(SWEEP_GAP_MIN_MS, this.sweepGapMs * 2));
  }

  /** Whether a dial to `nodeId` may start now; a stranger's spends from the budget. */
  take(nodeId: string, kind: DialKind = 'sweep'): boolean {
    if (this.metIds.has(nodeId)) return true;
    const now = this.clock.monotonic();
    if (kind === 'sweep' && now < this.sweepNotBefore) return false;
    if (!this.strangers.take(now)) return false;
    if (kind === 'sweep') this.sweepNotBefore = now + this.sweepGapMs;
    return true;
  }

  /** Milliseconds until a dial to `nodeId` may start (0: now), spending nothing. */
  msUntil(nodeId: string, kind: DialKind = 'sweep'): number {
    if (this.metIds.has(nodeId)) return 0;
    const now = this.clock.monotonic();
    const gap = kind === 'sweep' ? Math.max(0, this.sweepNotBefore - now) : 0;
    return Math.max(gap, this.strangers.msUntil(now));
  }
}
