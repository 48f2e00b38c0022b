/**
 * When the auto-dialler may dial a node again after a connection to it ended (docs/protocol.md §5 and the
 * choices in docs/protocol.md): never for 10 minutes after either user ended it, after a newer announce
 * once it switched off, 30 s after it said it was paused, and with exponential backoff and jitter after
 * failures (a handshake that never completed, a dead or lost connection). Every hold but the failure
 * backoff follows only a proven identity (a connection that became ready, issue 23).
 */
import { Backoff } from '../lib/backoff';
import type { Clock } from '../lib/clock';
import type { CloseReason } from '../session/close-reason';

export const REDIAL_FORBIDDEN_MS = 10 * 60_000;
export const PAUSED_RETRY_MS = 30_000;
/** A peer whose ready connection closed for `limit` (either way) is not dialled again for this long (docs/protocol.md, Limits). */
export const LIMIT_COOLDOWN_MS = 5 * 60_000;
const FAILURE_BACKOFF = { baseMs: 1000, capMs: 60_000 };
/** Holds kept at most: the oldest go first, so a stream of new node IDs cannot grow the map. */
export const HOLDS_KEPT = 1024;

interface Hold {
  /** No automatic dial before this time. */
  notBefore: number;
  /** After `remote:shutdown`: wait for a record newer than this. */
  newerThan: number | null;
  failures: Backoff;
}

export class RedialPolicy {
  private readonly holds = new Map<string, Hold>();

  constructor(
    private readonly clock: Clock,
    private readonly random: () => number = Math.random,
  ) {}

  /** A connection became ready, or the user asked for one: every hold on the node is lifted. */
  clear(nodeId: string): void {
    this.holds.delete(nodeId);
  }

  /**
   * Records how a connection to `nodeId` ended. `everReady`: it completed the handshake, so `nodeId`
   * is proven. Before that, the ID is only what the signaling path claims (a tracker passes on any
   * swarm member's `from`, a PeerJS server whatever registered), so a connection that never became
   * ready imposes no hold whatever it said or did (`bye limit`, `paused`, `blocked`, a protocol error):
   * only the failure backoff (docs/protocol.md §3). Otherwise a stranger opening a link in a node's
   * name and saying `bye limit` kept us from dialling that node for 5 minutes (issue 23). Only this
   * node's own user's `user-disconnect` holds before ready: it is nobody's claim. Even the failure
   * backoff follows only `ourDial`, a dial of this node's to an ID it chose from a signed record: an
   * inbound link, or a tracker's, carries a claimed ID, and a stranger renewing such links every half
   * minute kept a node on its 60 s backoff for good. No close shortens a hold already there.
   * `unanswered`: this node's dial whose transport never opened.
   */
  closed(nodeId: string, reason: CloseReason, everReady: boolean, { ourDial = false, unanswered = false }: { ourDial?: boolean; unanswered?: boolean } = {}): void {
    if (reason === 'duplicate' || reason === 'shutdown') return;
    const now = this.clock.monotonic();
    const hold = this.holds.get(nodeId) ?? { notBefore: 0, newerThan: null, failures: new Backoff({ ...FAILURE_BACKOFF, random: this.random }) };
    const holdFor = (ms: number) => (hold.notBefore = Math.max(hold.notBefore, now + ms));
    if (reason === 'user-disconnect') {
      holdFor(REDIAL_FORBIDDEN_MS);
    } else if (!everReady) {
      if (!ourDial) return;
      holdFor(hold.failures.next());
    } else if (reason === 'remote:user-disconnect' || reason === 'remote:blocked') {
      holdFor(REDIAL_FORBIDDEN_MS);
    } else if (reason === 'limit' || reason === 'remote:limit') {
      holdFor(LIMIT_COOLDOWN_MS);
    } else if (reason === 'remote:shutdown') {
      hold.newerThan = this.clock.now();
    } else if (reason === 'remote:paused') {
      holdFor(PAUSED_RETRY_MS);
    } else if (reason === 'dead' || reason === 'transport-closed') {
      holdFor(hold.failures.next());
    }
    // A dial nobody answered (its transport never opened: no node holds the ID on the signaling
    // server, or nobody answered the offer) waits for a record signed after it as well: a record
    // that names a node nobody runs (a Sybil storm's) costs its signer a new signature for each
    // further dial, not this node a dial slot and an RTCPeerConnection every backoff period. An
    // honest node that was away re-announces within ANNOUNCE_INTERVAL_MS of coming back.
    if (unanswered) hold.newerThan = Math.max(hold.newerThan ?? 0, this.clock.now());
    this.holds.delete(nodeId);
    this.holds.set(nodeId, hold);
    if (this.holds.size > HOLDS_KEPT) this.holds.delete(this.holds.keys().next().value!);
  }

  /**
   * Forgets holds that ended long enough ago that their backoff would start afresh anyway, unless
   * they wait for a newer record (called on the node's dial sweep).
   */
  prune(): void {
    const now = this.clock.monotonic();
    for (const [nodeId, hold] of this.holds) {
      if (hold.newerThan === null && now - hold.notBefore > FAILURE_BACKOFF.capMs) this.holds.delete(nodeId);
    }
  }

  get size(): number {
    return this.holds.size;
  }

  /** Whether the auto-dialler may dial `nodeId` now, its latest record being from `recordTs`. */
  mayDial(nodeId: string, recordTs: number): boolean {
    const hold = this.holds.get(nodeId);
    if (!hold) return true;
    if (this.clock.monotonic() < hold.notBefore) return false;
    return hold.newerThan === null || recordTs > hold.newerThan;
  }
}
