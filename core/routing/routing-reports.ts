/** What the mesh router reports: its counts for the views, and the result of a mesh ping. */

/** Route messages this node handled (docs/protocol.md §6). */
export interface RoutingSnapshot {
  delivered: number;
  forwarded: number;
  /** Dropped: bad signature, unknown source key, blocked source, malformed path. */
  dropped: number;
  /** Dropped because routing is off here. */
  notForwarded: number;
  /**
   * Copies of unicast routes (sent from here or forwarded) that went to one neighbour: the destination
   * itself or the next hop of a shortest known path (core/routing/route-graph.ts).
   */
  directed: number;
  /** Copies sent by flooding: broadcasts, and unicast routes with no known path (to a few random neighbours). */
  flooded: number;
}

export interface MeshPingResult {
  rttMs: number;
  /** The route the ping took, source first, destination last. */
  path: string[];
}
