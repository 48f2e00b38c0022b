/**
 * Whom the node dials of its own accord, and when: the newly found first, the latest signed first
 * (newly-found.ts), then every other node in the room in random order, as the dial policy
 * (dial-policy.ts) and the budget of dials to strangers (dial-budget.ts) allow, until maxPeers
 * connections exist. Random order, so that the first records found (or the most numerous, a Sybil's)
 * do not decide all of a node's neighbours (eclipse).
 */
import type { TimerGroup } from '../lib/clock';
import { EarliestTimeout } from '../lib/earliest-timeout';
import type { RecordTable } from '../discovery/record-table';
import type { PeerSession } from '../session/peer-session';
import { DialBudget, type DialKind } from './dial-budget';
import { mayAutoDial, type DialContext } from './dial-policy';
import { NewlyFound } from './newly-found';
import type { SessionTable } from './session-table';

/**
 * An outbound dial unanswered this long may give way to a newly found node. A handshake takes tens of
 * ms on loopback and a LAN, and about a second with STUN; a PeerJS server reports a peer that is not
 * registered only after its expire timeout (5 s by default). The dial given up is retried after the
 * usual failure backoff.
 */
export const STALLED_DIAL_MS = 2000;

interface AutoDiallerDeps {
  timers: TimerGroup;
  /** A monotonic clock in ms, for the budget's sweep. */
  monotonic(): number;
  records: RecordTable;
  sessions: SessionTable;
  budget: DialBudget;
  /** What the dial policy reads now (dial-policy.ts). */
  context(): DialContext;
  /** Dials `nodeId` (the node's own dial, which adds a session). */
  dial(nodeId: string): void;
  /** A number in [0, 1): the sweep's order. */
  random(): number;
}

export class AutoDialler {
  /** Nodes found for the first time and not dialled yet. */
  private readonly newlyFound = new NewlyFound();
  private stallSweep: unknown = null;
  /** A sweep waiting for the budget of dials to strangers. */
  private readonly budgetSweep: EarliestTimeout;

  constructor(private readonly deps: AutoDiallerDeps) {
    this.budgetSweep = new EarliestTimeout(deps.timers, deps.monotonic, () => this.sweep());
  }

  /** Dials discovered nodes until maxPeers connections exist: the newly found first, then the rest in random order. */
  sweep(): void {
    const context = this.deps.context();
    this.dialNewlyFound(context);
    for (const id of shuffled(this.deps.records.ids(), this.deps.random)) this.maybeDial(id, context);
  }

  /** A node found for the first time, its record signed at `signedAt` (never later than now): dialled first. */
  found(nodeId: string, signedAt: number): void {
    this.newlyFound.add(nodeId, signedAt);
    this.dialNewlyFound(this.deps.context());
  }

  /** A known node's record changed: dialled if the policy allows it now. */
  changed(nodeId: string): void {
    this.maybeDial(nodeId, this.deps.context());
  }

  /** Forgets the nodes found (another room's are of no use) and any sweep waiting; the timers are the caller's to clear. */
  stop(): void {
    this.newlyFound.clear();
    this.stallSweep = null;
    this.budgetSweep.cancel();
  }

  /**
   * Dials the nodes found for the first time, the latest signed first. While every slot is taken, each
   * may take the slot of a dial unanswered for STALLED_DIAL_MS. Otherwise validly signed records of
   * nodes that never answer (a Sybil storm) hold every slot, and a real newcomer waits for a random
   * sweep to pick it among hundreds. A storm can take only the slots of dials that are failing anyway,
   * and a slot freed goes to the latest signed, not to whichever record arrived last: a storm signed
   * before the newcomer cannot take it.
   */
  private dialNewlyFound(context: DialContext): void {
    for (const nodeId of this.newlyFound.latestFirst()) {
      const known = this.deps.records.get(nodeId);
      if (!known || context.hasSession(nodeId)) {
        this.newlyFound.remove(nodeId);
        continue;
      }
      if (context.sessionCount >= (context.settings?.maxPeers ?? 0) && mayAutoDial(nodeId, known, { ...context, sessionCount: 0 }) && this.deps.budget.msUntil(nodeId, 'newly-found') === 0) {
        const stalled = this.oldestStalledDial(context.now);
        if (stalled) {
          stalled.close('superseded');
          context.sessionCount = this.deps.sessions.size;
        } else {
          this.sweepWhenADialStalls(context.now);
        }
      }
      if (this.maybeDial(nodeId, context, 'newly-found')) this.newlyFound.remove(nodeId);
    }
  }

  /** Dials `nodeId` if the dial policy and the budget of dials to strangers allow; whether it did. */
  private maybeDial(nodeId: string, context: DialContext, kind: DialKind = 'sweep'): boolean {
    if (!mayAutoDial(nodeId, this.deps.records.get(nodeId), context)) return false;
    if (!this.deps.budget.take(nodeId, kind)) {
      // The earlier of two: a newly found node's dial must not wait out the sweep's longer gap.
      this.budgetSweep.within(this.deps.budget.msUntil(nodeId, kind));
      return false;
    }
    this.deps.dial(nodeId);
    // The dial added a session: the next candidate of the same sweep must count it.
    context.sessionCount = this.deps.sessions.size;
    return true;
  }

  /** Sweeps again as soon as the oldest unanswered dial counts as stalled, not at the next periodic sweep. */
  private sweepWhenADialStalls(now: number): void {
    if (this.stallSweep !== null) return;
    let first = Infinity;
    for (const session of this.deps.sessions.all()) {
      if (session.link.direction === 'outbound' && !session.isReady) first = Math.min(first, session.openedAt + STALLED_DIAL_MS);
    }
    if (first === Infinity) return;
    this.stallSweep = this.deps.timers.timeout(() => {
      this.stallSweep = null;
      this.sweep();
    }, Math.max(0, first - now));
  }

  private oldestStalledDial(now: number): PeerSession | null {
    let oldest: PeerSession | null = null;
    for (const session of this.deps.sessions.all()) {
      if (session.link.direction !== 'outbound' || session.isReady || now - session.openedAt < STALLED_DIAL_MS) continue;
      if (!oldest || session.openedAt < oldest.openedAt) oldest = session;
    }
    return oldest;
  }
}

/** A copy of `items` in random order (Fisher–Yates). */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
