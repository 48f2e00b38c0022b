/**
 * The rendezvous mesh as a graph, for the dashboard's topology picture (issue 4): this node, its
 * ready neighbours, the other announced nodes and the links they announce. Pure functions, so the
 * picture, its text summary and its layout are tested without a browser.
 */
import type { DiscoveredNode, PeerSnapshot } from '../../../core/node/observed-state';
import { countOf } from '../../ui/format';

/**
 * How a node is drawn. `self` this node; `ready` a ready neighbour; `known` fresh and valid but not
 * connected (also a node only named as someone's neighbour); `stale` record older than 60 s; `blocked`.
 */
export type TopologyKind = 'self' | 'ready' | 'known' | 'stale' | 'blocked';

export interface TopologyNode {
  id: string;
  kind: TopologyKind;
}

export interface TopologyLink {
  /** The two ends, `a < b`. */
  a: string;
  b: string;
}

export interface Topology {
  nodes: TopologyNode[];
  links: TopologyLink[];
  counts: Record<TopologyKind, number>;
}

/** Draw order and legend order; also the order of nodes around the circle. */
const KIND_ORDER: readonly TopologyKind[] = ['self', 'ready', 'known', 'stale', 'blocked'];

const linkKey = (a: string, b: string) => (a < b ? `${a} ${b}` : `${b} ${a}`);

/**
 * Builds the graph: nodes are this node, every discovered node, every ready peer and every node
 * named as a neighbour; links are the union of the announced neighbour lists and our own ready peers.
 * Nodes come sorted by kind, then ID (so the layout is deterministic); links by their ends.
 */
export function buildTopology(
  selfId: string,
  peers: readonly Pick<PeerSnapshot, 'nodeId' | 'state'>[],
  discovered: readonly DiscoveredNode[],
): Topology {
  const kinds = new Map<string, TopologyKind>([[selfId, 'self']]);
  const links = new Map<string, TopologyLink>();
  const addLink = (x: string, y: string) => {
    if (x === y) return;
    const key = linkKey(x, y);
    if (!links.has(key)) links.set(key, x < y ? { a: x, b: y } : { a: y, b: x });
  };

  for (const node of discovered) {
    if (node.nodeId === selfId) continue;
    kinds.set(node.nodeId, node.status);
  }
  for (const peer of peers) {
    if (peer.state !== 'ready' || peer.nodeId === selfId) continue;
    // A blocked node's connection is on its way down; it stays drawn as blocked.
    if (kinds.get(peer.nodeId) !== 'blocked') kinds.set(peer.nodeId, 'ready');
    addLink(selfId, peer.nodeId);
  }
  for (const node of discovered) {
    for (const neighbor of node.neighbors) {
      if (!kinds.has(neighbor)) kinds.set(neighbor, 'known');
      addLink(node.nodeId, neighbor);
    }
  }

  const rank = (kind: TopologyKind) => KIND_ORDER.indexOf(kind);
  const nodes = [...kinds].map(([id, kind]) => ({ id, kind })).sort((x, y) => rank(x.kind) - rank(y.kind) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const counts: Record<TopologyKind, number> = { self: 0, ready: 0, known: 0, stale: 0, blocked: 0 };
  for (const node of nodes) counts[node.kind]++;
  return {
    nodes,
    links: [...links.values()].sort((x, y) => (x.a === y.a ? (x.b < y.b ? -1 : 1) : x.a < y.a ? -1 : 1)),
    counts,
  };
}

/** The picture's accessible name: "5 nodes, 7 links". */
export function topologySummary(topology: Pick<Topology, 'nodes' | 'links'>): string {
  return `${countOf(topology.nodes.length, 'node')}, ${countOf(topology.links.length, 'link')}`;
}

interface Point {
  x: number;
  y: number;
}

/**
 * A deterministic circular layout in a `size`×`size` box: every node evenly round one circle in the
 * order given (this node first, at the top, then by kind and ID), so that every link is a chord and
 * none passes through a node's centre as spokes from a middle node would. A lone node sits in the middle.
 */
export function layoutCircle(nodes: readonly TopologyNode[], size: number, margin = 28): Map<string, Point> {
  const positions = new Map<string, Point>();
  const centre = size / 2;
  if (nodes.length === 1) {
    positions.set(nodes[0]!.id, { x: centre, y: centre });
    return positions;
  }
  const radius = centre - margin;
  nodes.forEach((node, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / nodes.length;
    positions.set(node.id, { x: round(centre + radius * Math.cos(angle)), y: round(centre + radius * Math.sin(angle)) });
  });
  return positions;
}

const round = (value: number) => Math.round(value * 10) / 10;
