/**
 * Trusted-only mode (issue 13): with the `Trusted peers only` switch on, the node takes and dials only
 * peers it trusts, so that a user can run a private mesh of their own browsers and friends. A peer is
 * trusted when its node ID or its user ID is on the trust list (synced like the block list,
 * core/blocklist/), or when its user ID is this node's own: a user's own browsers always trust each
 * other, without listing one another (a new profile of the user would otherwise be locked out of the
 * user's own mesh until someone typed its node ID). The block list still wins: a blocked ID is
 * refused whatever the trust list says.
 *
 * Where it is enforced (the node's parts): the auto-dialler skips strangers (dial-policy.ts), a dial
 * the user asks for is refused with NotTrustedError (outbound-dials.ts), a stranger's hello is answered
 * with bye `blocked` (core/session/peer-session.ts; it is not a block, so it imposes no redial hold
 * before ready), and turning the mode on, or untrusting an ID, closes the connections it no longer
 * allows (session-lifecycle.ts).
 */

export interface TrustRule {
  /** The `Trusted peers only` setting. */
  trustedOnly: boolean;
  /** Trusted node and user IDs. */
  trusted: ReadonlySet<string>;
  /** This node's user ID: trusted without being listed. */
  selfUserId: string;
}

/** Whether the peer is trusted, whatever the mode: listed by node or user ID, or one of the user's own browsers. */
export function isTrustedPeer(rule: Omit<TrustRule, 'trustedOnly'>, nodeId: string, userId: string | null): boolean {
  return rule.trusted.has(nodeId) || (userId !== null && (userId === rule.selfUserId || rule.trusted.has(userId)));
}

/**
 * Whether trusted-only mode turns the peer away. `userId` is null while it is not known (no verified
 * record or hello yet): only a trusted node ID passes then.
 */
export function isStranger(rule: TrustRule, nodeId: string, userId: string | null): boolean {
  return rule.trustedOnly && !isTrustedPeer(rule, nodeId, userId);
}

/** A dial the user asked for, of a peer trusted-only mode turns away. */
export class NotTrustedError extends Error {
  override name = 'NotTrustedError';
  constructor(nodeId: string) {
    super(`${nodeId} is not a trusted peer and Trusted peers only is on: trust its node or user ID first, or turn Trusted peers only off`);
  }
}
