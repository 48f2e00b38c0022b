/**
 * Nodes found for the first time and not dialled yet, ranked by the date their record was signed.
 * The auto-dialler tries them before the random sweep, the latest signed first, and keeps only
 * NEWLY_FOUND_KEPT. Ranked by signed date, not by arrival: a storm's records keep arriving long after
 * a newcomer announced (a relay delivers 10,000 children in its own order), and in arrival order each
 * late one pushed the newcomer further down until it fell out, left to a random sweep among hundreds
 * (it waited 21 and 37 s in two of three hostile e2e runs). Records signed before the newcomer's now
 * rank below it; only a storm that keeps signing new identities can push it out, each one costing its
 * signer a key and a certificate. The caller caps a date at the time the record was found, so that
 * records dated ahead (allowed for clock skew) cannot hold the top places.
 *
 * A node dialled from here that never answered ranks every node signed no later behind the sweep
 * (unanswered): a storm's Sybils are signed together, so once one of them failed the rest wait for
 * the sweep and its budget, while a newcomer signed after them keeps its place. The bar is the rank
 * the failed node was dialled at, not its record at the failure: a Sybil re-signing while its dial was
 * pending, or dated ahead, would otherwise raise the bar to the time of the failure and push out every
 * newcomer found since (attacker read, issue 22). Nothing is forgotten: those nodes are still dialled,
 * by the sweep.
 */
export const NEWLY_FOUND_KEPT = 8;
/** Dials from this list remembered with their rank until they end, the oldest forgotten first. */
export const DIALLED_KEPT = 64;

export class NewlyFound {
  /** Ascending by signed date: the latest signed last. */
  private readonly entries: { nodeId: string; signedAt: number }[] = [];
  /** Nodes dialled from the list → the rank they were dialled at. */
  private readonly dialledAt = new Map<string, number>();
  /** The highest rank of a node dialled from here that did not answer. */
  private unansweredUpTo = -Infinity;

  /**
   * Remembers `nodeId`, signed at `signedAt`, unless NEWLY_FOUND_KEPT later signed ones are held or a
   * node dialled from here at that rank or later did not answer.
   */
  add(nodeId: string, signedAt: number): void {
    this.remove(nodeId);
    if (signedAt <= this.unansweredUpTo) return;
    let at = this.entries.length;
    while (at > 0 && this.entries[at - 1]!.signedAt > signedAt) at--;
    this.entries.splice(at, 0, { nodeId, signedAt });
    if (this.entries.length > NEWLY_FOUND_KEPT) this.entries.shift();
  }

  /** `nodeId` was dialled: it leaves the list, its rank kept until its dial ends. */
  dialled(nodeId: string): void {
    const entry = this.entries.find((e) => e.nodeId === nodeId);
    if (!entry) return;
    this.remove(nodeId);
    this.dialledAt.delete(nodeId);
    this.dialledAt.set(nodeId, entry.signedAt);
    if (this.dialledAt.size > DIALLED_KEPT) this.dialledAt.delete(this.dialledAt.keys().next().value!);
  }

  /** `nodeId`'s connection became ready: its dial answered. */
  answered(nodeId: string): void {
    this.dialledAt.delete(nodeId);
  }

  /** A dial of `nodeId` never opened: if it was dialled from here, nodes ranked no higher lose their place. */
  unanswered(nodeId: string): void {
    const rank = this.dialledAt.get(nodeId);
    if (rank === undefined) return;
    this.dialledAt.delete(nodeId);
    this.unansweredUpTo = Math.max(this.unansweredUpTo, rank);
    while (this.entries.length > 0 && this.entries[0]!.signedAt <= this.unansweredUpTo) this.entries.shift();
  }

  remove(nodeId: string): void {
    const at = this.entries.findIndex((entry) => entry.nodeId === nodeId);
    if (at >= 0) this.entries.splice(at, 1);
  }

  clear(): void {
    this.entries.length = 0;
    this.dialledAt.clear();
    this.unansweredUpTo = -Infinity;
  }

  /** The node IDs held, the latest signed first. */
  latestFirst(): string[] {
    return this.entries.map((entry) => entry.nodeId).reverse();
  }
}
