import { describe, expect, it } from 'vitest';
import { buildTopology, layoutCircle, topologySummary } from '../../../../../components/dashboard/rendezvous-mesh/topology';
import { fakeDiscovered, fakeId, fakePeer, SELF_NODE } from '../../../../support/view-fixtures';

const n = (seed: number) => fakeId('n', seed);

describe('buildTopology', () => {
  it('joins our ready peers and the announced links, marking each node', () => {
    const topology = buildTopology(
      SELF_NODE,
      [fakePeer(1), fakePeer(2, { state: 'handshaking' })],
      [
        fakeDiscovered(1, { status: 'ready', neighbors: [SELF_NODE, n(3)] }),
        fakeDiscovered(2, { status: 'known', neighbors: [n(3)] }),
        fakeDiscovered(3, { status: 'stale', neighbors: [n(1), n(2), n(9)] }),
        fakeDiscovered(4, { status: 'blocked', neighbors: [] }),
        // Our own record, as the rendezvous hands it back: not a second node.
        { ...fakeDiscovered(0), nodeId: SELF_NODE, neighbors: [n(1)] },
      ],
    );
    const kinds = Object.fromEntries(topology.nodes.map((node) => [node.id, node.kind]));
    expect(kinds).toEqual({ [SELF_NODE]: 'self', [n(1)]: 'ready', [n(2)]: 'known', [n(3)]: 'stale', [n(4)]: 'blocked', [n(9)]: 'known' });
    // self–1 (peer and announced, once), 1–3, 2–3, 3–9; the handshaking peer 2 is not a link of ours.
    expect(topology.links).toHaveLength(4);
    expect(topology.links.every((link) => link.a < link.b)).toBe(true);
    expect(topology.counts).toEqual({ self: 1, ready: 1, known: 2, stale: 1, blocked: 1 });
    expect(topologySummary(topology)).toBe('6 nodes, 4 links');
    // Sorted by kind, then ID: deterministic whatever order the snapshot had.
    expect(topology.nodes[0]!.kind).toBe('self');
    expect(topology.nodes.at(-1)!.kind).toBe('blocked');
  });

  it('a ready connection to a blocked node stays drawn as blocked', () => {
    const topology = buildTopology(SELF_NODE, [fakePeer(1)], [fakeDiscovered(1, { status: 'blocked' })]);
    expect(topology.nodes.find((node) => node.id === n(1))?.kind).toBe('blocked');
  });

  it('a lone node is "1 node, 0 links"', () => {
    expect(topologySummary(buildTopology(SELF_NODE, [], []))).toBe('1 node, 0 links');
  });
});

describe('layoutCircle', () => {
  it('puts every node evenly round the circle, this node first at the top', () => {
    const topology = buildTopology(SELF_NODE, [fakePeer(1), fakePeer(2), fakePeer(3)], []);
    const at = layoutCircle(topology.nodes, 200, 20);
    const points = topology.nodes.map((node) => at.get(node.id)!);
    expect(points[0]).toEqual({ x: 100, y: 20 });
    expect(points[1]).toEqual({ x: 180, y: 100 });
    expect(points[2]).toEqual({ x: 100, y: 180 });
    expect(points[3]).toEqual({ x: 20, y: 100 });
    // The same input gives the same picture.
    expect(layoutCircle(topology.nodes, 200, 20)).toEqual(at);
  });

  it('puts a lone node in the middle', () => {
    const topology = buildTopology(SELF_NODE, [], []);
    expect(layoutCircle(topology.nodes, 200).get(SELF_NODE)).toEqual({ x: 100, y: 100 });
  });
});
