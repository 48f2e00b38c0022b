/**
 * Sorting the Connections table. Unknown values (no round trip yet, no handshake, no error) go last
 * whichever the direction, and equal rows keep a stable order by node ID, so rows do not jump about
 * between two ticks that changed nothing they are sorted by.
 */
import type { PeerSnapshot } from '../../../core/node/observed-state';

export type SortKey = 'peer' | 'user' | 'direction' | 'path' | 'state' | 'strength' | 'latency' | 'loss' | 'handshake' | 'traffic' | 'score' | 'error';
export type SortDirection = 'ascending' | 'descending';

export interface SortOrder {
  key: SortKey;
  direction: SortDirection;
}

const STATE_RANK: Record<PeerSnapshot['state'], number> = { ready: 0, handshaking: 1, connecting: 2, closed: 3 };

/** The value a column sorts by; null is "unknown" and sorts last. */
function sortValue(peer: PeerSnapshot, key: SortKey): string | number | null {
  switch (key) {
    case 'peer':
      return peer.nodeId;
    case 'user':
      return peer.userId;
    case 'direction':
      return peer.direction;
    case 'path':
      return peer.path;
    case 'state':
      return STATE_RANK[peer.state] ?? 9;
    case 'strength':
      return peer.strength;
    case 'latency':
      return peer.rttMs;
    case 'loss':
      return peer.loss;
    case 'handshake':
      return peer.lastHandshakeAt;
    case 'traffic':
      return peer.bytesIn + peer.bytesOut;
    case 'score':
      return peer.score;
    case 'error':
      return peer.lastError;
  }
}

export function comparePeers(a: PeerSnapshot, b: PeerSnapshot, order: SortOrder): number {
  const x = sortValue(a, order.key);
  const y = sortValue(b, order.key);
  if (x === null || y === null || x === y) {
    if (x !== y) return x === null ? 1 : -1;
    return a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0;
  }
  const sign = order.direction === 'ascending' ? 1 : -1;
  return (x < y ? -1 : 1) * sign;
}

/**
 * The order after pressing a column's header: a new column starts ascending (descending for the
 * figures where bigger is more interesting: strength, traffic, most recent handshake), the same
 * column flips.
 */
export function nextSort(current: SortOrder | null, key: SortKey): SortOrder {
  if (current?.key === key) return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  const descendingFirst = key === 'strength' || key === 'traffic' || key === 'handshake';
  return { key, direction: descendingFirst ? 'descending' : 'ascending' };
}
