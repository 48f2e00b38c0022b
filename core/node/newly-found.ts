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
 */
export const NEWLY_FOUND_KEPT = 8;

export class NewlyFound {
  /** Ascending by signed date: the latest signed last. */
  private readonly entries: { nodeId: string; signedAt: number }[] = [];

  /** Remembers `nodeId`, signed at `signedAt`, unless NEWLY_FOUND_KEPT later signed ones are held. */
  add(nodeId: string, signedAt: number): void {
    this.remove(nodeId);
    let at = this.entries.length;
    while (at > 0 && this.entries[at - 1]!.signedAt > signedAt) at--;
    this.entries.splice(at, 0, { nodeId, signedAt });
    if (this.entries.length > NEWLY_FOUND_KEPT) this.entries.shift();
  }

  remove(nodeId: string): void {
    const at = this.entries.findIndex((entry) => entry.nodeId === nodeId);
    if (at >= 0) this.entries.splice(at, 1);
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** The node IDs held, the latest signed first. */
  latestFirst(): string[] {
    return this.entries.map((entry) => entry.nodeId).reverse();
  }
}
