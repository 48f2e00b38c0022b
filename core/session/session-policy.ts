/** What a session asks of the node on hello: whom it refuses, and what it says of itself. */

/** Why a stranger's connection closed, in the connection list and the event log. */
export const STRANGER_REFUSED = 'not a trusted peer (Trusted peers only is on)';

export interface SessionPolicy {
  /** Consulted on hello: a blocked peer is closed without being told why. */
  isBlocked(nodeId: string, userId: string): boolean;
  /**
   * Consulted on hello after isBlocked (core/node/trust-policy.ts): a peer trusted-only mode turns
   * away is told so with bye `blocked` (before ready: no redial hold). Absent: nobody is a stranger.
   */
  isStranger?(nodeId: string, userId: string): boolean;
  app: string;
  caps: string[];
}
