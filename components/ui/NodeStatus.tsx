import { useComputed } from '@preact/signals';
import type { NodeModel } from '../client/node-model';
import { nodeHealth } from '../../core/node/node-health';

interface NodeStatusProps {
  model: Pick<NodeModel, 'snapshot' | 'hostReachable' | 'hostError' | 'enabled' | 'transition'>;
  /** Also say why the node is unhealthy (the popup); the dashboard's overview says it itself. */
  showHealth?: boolean;
}

export const NO_PEERS_TEXT = 'No peers yet — is the signaling server reachable?';

/**
 * What the node is doing, in words (role=status, announced politely): connecting to the node host,
 * the P2P network being off, and why it is not healthy (core/node/node-health.ts), with the control
 * that fixes it. Never blank while something is wrong, never "connecting…" forever.
 */
export function NodeStatus({ model, showHealth = true }: NodeStatusProps) {
  // Joined into one string so that the region re-renders only when its words change, not on every
  // snapshot (a stats tick changes figures, rarely these lines).
  const text = useComputed(() => statusLines(model, showHealth).join('\n')).value;
  return (
    <div role="status" class="status">
      {text
        .split('\n')
        .filter(Boolean)
        .map((line) => (
          <p key={line}>{line}</p>
        ))}
    </div>
  );
}

/** What the node is doing, line by line; empty when all is well. */
function statusLines(model: NodeStatusProps['model'], showHealth: boolean): string[] {
  const snapshot = model.snapshot.value;
  const reachable = model.hostReachable.value;
  const hostError = model.hostError.value;
  const lines: string[] = [];
  if (!snapshot) lines.push('Connecting to the node…');
  else if (!reachable) lines.push('Lost contact with the node — reconnecting…');
  if (!reachable && hostError) lines.push(hostError);
  if (snapshot) {
    // While turning off the switch itself says so; errors of a node on its way down are moot.
    if (model.enabled.value === false) {
      if (model.transition.value === null) lines.push('The P2P network is off.');
    } else if (showHealth) {
      const { reason } = nodeHealth(snapshot);
      if (reason) lines.push(reason);
    }
  }
  return lines;
}
