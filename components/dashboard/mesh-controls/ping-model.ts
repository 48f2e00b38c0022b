/**
 * Mesh ping (issue 4): pick any discovered node and ping it over the mesh (route body `ping`); the
 * answer is the round trip and the path the ping took.
 */
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import type { DiscoveredNode } from '../../../core/node/observed-state';
import type { MeshPingResult } from '../../../core/routing/routing-reports';
import { runAction, type ActionStatus } from '../../ui/action-status';
import { formatMs, shortId } from '../../ui/format';
import type { DashboardNodeModel } from '../snapshot-parts';
import type { ViewClient } from '../../client/view-client';

export interface PingTarget {
  nodeId: string;
  /** "nabcdefg… — ready". */
  label: string;
}

export interface PingModel {
  /** Discovered nodes other than this one: ready neighbours first, then by ID. */
  readonly targets: ReadonlySignal<readonly PingTarget[]>;
  /** The chosen node ID; '' for none. */
  readonly target: ReadonlySignal<string>;
  /** Why the form was refused, shown at the `Node` field. */
  readonly targetError: ReadonlySignal<string | null>;
  readonly status: ReadonlySignal<ActionStatus | null>;
  setTarget(nodeId: string): void;
  /** Pings the chosen node. Never rejects; the outcome is in `status`. */
  ping(): Promise<void>;
  dispose(): void;
}

const STATUS_RANK: Record<DiscoveredNode['status'], number> = { ready: 0, known: 1, stale: 2, blocked: 3 };
const STATUS_WORDS: Record<DiscoveredNode['status'], string> = { ready: 'ready neighbour', known: 'known', stale: 'stale', blocked: 'blocked' };

/** "23 ms via nA… → nB… → nC…". */
export function describePing(result: MeshPingResult): string {
  return `${formatMs(result.rttMs)} via ${result.path.map(shortId).join(' → ')}`;
}

export function createPingModel(node: Pick<DashboardNodeModel, 'discovered' | 'identity'>, client: Pick<ViewClient, 'request'>): PingModel {
  const target = signal('');
  const targetError = signal<string | null>(null);
  const status = signal<ActionStatus | null>(null);
  /** Aborted by dispose(): replies still on their way then write nothing. */
  const scope = new AbortController();
  const targets = computed(() => {
    const self = node.identity.value?.nodeId;
    return node.discovered.value
      .filter((n) => n.nodeId !== self)
      .sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] || (a.nodeId < b.nodeId ? -1 : 1))
      .map((n) => ({ nodeId: n.nodeId, label: `${shortId(n.nodeId)} — ${STATUS_WORDS[n.status] ?? n.status}` }));
  });
  return {
    targets,
    target,
    targetError,
    status,
    setTarget(nodeId) {
      target.value = nodeId;
      targetError.value = null;
    },
    async ping() {
      const nodeId = target.peek();
      if (!nodeId) {
        targetError.value = targets.peek().length
          ? 'Choose a node to ping.'
          : 'No node to ping yet: nodes appear here once the rendezvous mesh announces them.';
        return;
      }
      targetError.value = null;
      const id = shortId(nodeId);
      await runAction(
        status,
        { action: `ping ${id}`, pending: `Pinging ${id} over the mesh`, done: describePing, signal: scope.signal },
        () => client.request({ type: 'node:ping', nodeId }, { signal: scope.signal }),
      );
    },
    dispose() {
      scope.abort();
    },
  };
}
