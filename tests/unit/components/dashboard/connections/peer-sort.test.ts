import { describe, expect, it } from 'vitest';
import { comparePeers, nextSort, type SortOrder } from '../../../../../components/dashboard/connections/peer-sort';
import type { PeerSnapshot } from '../../../../../core/node/observed-state';
import { fakePeer } from '../../../../support/view-fixtures';

const sortPeers = (list: readonly PeerSnapshot[], order: SortOrder) => [...list].sort((a, b) => comparePeers(a, b, order));

describe('comparePeers', () => {
  const peers = [fakePeer(1, { rttMs: 30, lastHandshakeAt: 5 }), fakePeer(2, { rttMs: null, lastHandshakeAt: null }), fakePeer(3, { rttMs: 10, lastHandshakeAt: 9 })];
  const ids = (list: { nodeId: string }[]) => list.map((p) => peers.indexOf(peers.find((q) => q.nodeId === p.nodeId)!) + 1);

  it('sorts either way with unknown values last', () => {
    expect(ids(sortPeers(peers, { key: 'latency', direction: 'ascending' }))).toEqual([3, 1, 2]);
    expect(ids(sortPeers(peers, { key: 'latency', direction: 'descending' }))).toEqual([1, 3, 2]);
    expect(ids(sortPeers(peers, { key: 'handshake', direction: 'descending' }))).toEqual([3, 1, 2]);
  });

  it('breaks ties by node ID, so equal rows keep their places', () => {
    const same = [fakePeer(4, { strength: 2 }), fakePeer(5, { strength: 2 }), fakePeer(6, { strength: 2 })];
    const byId = [...same].sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1)).map((p) => p.nodeId);
    expect(sortPeers(same, { key: 'strength', direction: 'ascending' }).map((p) => p.nodeId)).toEqual(byId);
    expect(sortPeers(same, { key: 'strength', direction: 'descending' }).map((p) => p.nodeId)).toEqual(byId);
  });

  it('sorts traffic by bytes in plus out, and the state by how far along it is', () => {
    const list = [fakePeer(1, { bytesIn: 10, bytesOut: 0, state: 'connecting' }), fakePeer(2, { bytesIn: 5, bytesOut: 20, state: 'ready' })];
    expect(sortPeers(list, { key: 'traffic', direction: 'descending' })[0]!.nodeId).toBe(list[1]!.nodeId);
    expect(sortPeers(list, { key: 'state', direction: 'ascending' })[0]!.state).toBe('ready');
  });
});

describe('nextSort', () => {
  it('starts a new column in its natural direction and flips the same one', () => {
    expect(nextSort(null, 'latency')).toEqual({ key: 'latency', direction: 'ascending' });
    expect(nextSort(null, 'traffic')).toEqual({ key: 'traffic', direction: 'descending' });
    expect(nextSort({ key: 'latency', direction: 'ascending' }, 'latency')).toEqual({ key: 'latency', direction: 'descending' });
    expect(nextSort({ key: 'latency', direction: 'descending' }, 'peer')).toEqual({ key: 'peer', direction: 'ascending' });
  });
});
