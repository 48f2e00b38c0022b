/** Why the node refused what it was asked: one class per failure, so that a caller can tell them apart. */

/** The node is disabled (or was stopped): it dials, refreshes and pings nothing. */
export class NodeOfflineError extends Error {
  override name = 'NodeOfflineError';
  constructor() {
    super('the node is disabled: enable the P2P network first');
  }
}

/** A dial while outgoing connections are paused. */
export class PausedError extends Error {
  override name = 'PausedError';
  constructor() {
    super('outgoing connections are paused');
  }
}

/** A dial of a node the block list holds (by its node ID or its user's). */
export class BlockedPeerError extends Error {
  override name = 'BlockedPeerError';
  constructor(nodeId: string) {
    super(`${nodeId} is blocked`);
  }
}
