/**
 * The overview strip at the top of the Node Dashboard: health in a word with its reason, the figures
 * a user looks for first, and the state of signaling and the relays, from the same snapshot (and the
 * same nodeHealth) as the toolbar badge and the popup.
 */
import type { ReadonlySignal } from '@preact/signals';
import { nodeHealth, type NodeHealth } from '../../../core/node/node-health';
import type { NodeSnapshot } from '../../../core/node/observed-state';
import { countOf, formatMs, formatRate, formatStrength } from '../../ui/format';
import { stableComputed } from '../../ui/stable';

export interface OverviewFigures {
  health: NodeHealth;
  peers: string;
  up: string;
  down: string;
  latency: string;
  strength: string;
  signaling: string;
  relays: string;
}

export interface OverviewModel {
  /** null until the first snapshot arrives. */
  readonly figures: ReadonlySignal<OverviewFigures | null>;
  dispose(): void;
}

export const HEALTH_WORDS: Record<NodeHealth['level'], string> = {
  off: 'Off',
  connecting: 'Connecting',
  healthy: 'Healthy',
  degraded: 'Degraded',
  error: 'Not connected',
};

export function overviewFigures(snapshot: NodeSnapshot): OverviewFigures {
  const { totals, signaling, rendezvous } = snapshot;
  const servers = signaling.endpoints.length;
  const open = signaling.endpoints.filter((e) => e.state === 'open').length;
  const relaysOpen = rendezvous.relays.filter((r) => r.state === 'open').length;
  const state = signaling.stoppedByUser ? 'stopped by you' : signaling.state;
  return {
    health: nodeHealth(snapshot),
    peers: String(totals.peers),
    up: formatRate(totals.rateOut),
    down: formatRate(totals.rateIn),
    latency: formatMs(totals.medianRttMs),
    strength: formatStrength(totals.strength),
    signaling: servers > 1 ? `${state} (${open} of ${servers} servers open)` : state,
    relays: `${relaysOpen} of ${countOf(rendezvous.relays.length, 'relay')} open`,
  };
}

export function createOverviewModel(snapshot: ReadonlySignal<NodeSnapshot | null>): OverviewModel {
  // Computed signals hold nothing to release: they go with the snapshot signal.
  return { figures: stableComputed(() => (snapshot.value ? overviewFigures(snapshot.value) : null)), dispose: () => undefined };
}
