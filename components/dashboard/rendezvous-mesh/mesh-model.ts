/**
 * The rendezvous mesh as the dashboard shows it: the topology graph (recomputed only when a ready
 * neighbour comes or goes or the announced records change, not on every stats tick) and the
 * `Refresh peers` action.
 */
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import type { RefreshResult } from '../../../core/node/refresh-result';
import { runAction, type ActionStatus } from '../../ui/action-status';
import { countOf } from '../../ui/format';
import type { DashboardNodeModel } from '../snapshot-parts';
import { stableComputed } from '../../ui/stable';
import { buildTopology, topologySummary, type Topology } from './topology';
import type { ViewClient } from '../../client/view-client';

export interface MeshModel {
  /** Null before the first snapshot. */
  readonly topology: ReadonlySignal<Topology | null>;
  /** "5 nodes, 7 links". */
  readonly summary: ReadonlySignal<string>;
  readonly refreshStatus: ReadonlySignal<ActionStatus | null>;
  /** Re-reads the rendezvous at once and dials up to maxPeers. Never rejects. */
  refresh(): Promise<void>;
  dispose(): void;
}

/** "Found 3 new nodes, dialling 2". */
export function describeRefresh(result: RefreshResult): string {
  return `Found ${countOf(result.found, 'new node')}, dialling ${result.dialling}`;
}

export function createMeshModel(node: Pick<DashboardNodeModel, 'snapshot' | 'identity' | 'discovered'>, client: Pick<ViewClient, 'request'>): MeshModel {
  const refreshStatus = signal<ActionStatus | null>(null);
  /** Aborted by dispose(): replies still on their way then write nothing. */
  const scope = new AbortController();
  const readyPeers = stableComputed(() =>
    (node.snapshot.value?.peers ?? []).filter((peer) => peer.state === 'ready').map((peer) => ({ nodeId: peer.nodeId, state: peer.state })),
  );
  const topology = computed(() => {
    const self = node.identity.value;
    return self ? buildTopology(self.nodeId, readyPeers.value, node.discovered.value) : null;
  });
  const summary = computed(() => {
    const t = topology.value;
    return t ? topologySummary(t) : 'No topology yet: waiting for the node';
  });
  return {
    topology,
    summary,
    refreshStatus,
    async refresh() {
      await runAction(
        refreshStatus,
        { action: 'refresh peers', pending: 'Re-reading the rendezvous mesh…', done: describeRefresh, signal: scope.signal },
        () => client.request({ type: 'node:refresh' }, { signal: scope.signal }),
      );
    },
    dispose() {
      scope.abort();
    },
  };
}
