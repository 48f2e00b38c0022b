/**
 * The parts of the node's snapshot the dashboard's panels read, each keeping its identity while its
 * content is unchanged (see stable.ts), so a panel re-renders only when its part changed, not on every
 * stats tick. Dashboard only: kept out of node-model.ts so that none of it reaches the popup's bundle.
 */
import type { ReadonlySignal } from '@preact/signals';
import type {
  ClosedPeerSnapshot,
  ControlsSnapshot,
  DiscoveredNode,
  NodeSnapshot,
  RendezvousSnapshot,
  RoutingSnapshot,
  SignalingSnapshot,
  Totals,
} from '../../core/node/observed-state';
import type { NodeModel } from '../client/node-model';
import { stableComputed } from '../ui/stable';

export interface SnapshotParts {
  readonly signaling: ReadonlySignal<SignalingSnapshot | null>;
  readonly rendezvous: ReadonlySignal<RendezvousSnapshot | null>;
  readonly totals: ReadonlySignal<Totals | null>;
  readonly controls: ReadonlySignal<ControlsSnapshot | null>;
  readonly discovered: ReadonlySignal<DiscoveredNode[]>;
  readonly closedPeers: ReadonlySignal<ClosedPeerSnapshot[]>;
  readonly routingStats: ReadonlySignal<RoutingSnapshot | null>;
  readonly identity: ReadonlySignal<{ nodeId: string; userId: string } | null>;
}

/** The node model as the dashboard sees it: with the snapshot's parts. */
export type DashboardNodeModel = NodeModel & SnapshotParts;

export function createSnapshotParts(snapshot: ReadonlySignal<NodeSnapshot | null>): SnapshotParts {
  const part = <T>(pick: (s: NodeSnapshot) => T | undefined, empty: T) =>
    stableComputed<T>(() => {
      const s = snapshot.value;
      return (s && pick(s)) ?? empty;
    });
  return {
    signaling: part<SignalingSnapshot | null>((s) => s.signaling, null),
    rendezvous: part<RendezvousSnapshot | null>((s) => s.rendezvous, null),
    totals: part<Totals | null>((s) => s.totals, null),
    controls: part<ControlsSnapshot | null>((s) => s.controls, null),
    discovered: part<DiscoveredNode[]>((s) => s.discovered, []),
    closedPeers: part<ClosedPeerSnapshot[]>((s) => s.closedPeers, []),
    routingStats: part<RoutingSnapshot | null>((s) => s.routing, null),
    identity: part<{ nodeId: string; userId: string } | null>((s) => ({ nodeId: s.nodeId, userId: s.userId }), null),
  };
}

/** `node` with the snapshot's parts added. */
export function withSnapshotParts(node: NodeModel): DashboardNodeModel {
  return { ...node, ...createSnapshotParts(node.snapshot) };
}
