import { useComputed } from '@preact/signals';
import type { NodeModel } from '../client/node-model';

export interface NodeStatusProps {
  model: Pick<NodeModel, 'snapshot' | 'hostReachable' | 'hostError' | 'enabled' | 'transition'>;
  /** Also say when there are no peers (the popup); the dashboard's table says it itself. */
  showEmpty?: boolean;
}

export const NO_PEERS_TEXT = 'No peers yet — is the signaling server reachable?';

/**
 * What the node is doing, in words (role=status, announced politely): connecting to the node host,
 * the P2P network being off, signaling errors, no peers yet. Never blank while something is wrong.
 */
export function NodeStatus({ model, showEmpty = true }: NodeStatusProps) {
  // Joined into one string so that the region re-renders only when its words change, not on every
  // snapshot (a stats tick changes figures, rarely these lines).
  const text = useComputed(() => statusLines(model, showEmpty).join('\n')).value;
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
function statusLines(model: NodeStatusProps['model'], showEmpty: boolean): string[] {
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
    } else {
      if (snapshot.signaling.lastError) lines.push(`Signaling error: ${snapshot.signaling.lastError}`);
      if (showEmpty && snapshot.totals.peers === 0) lines.push(NO_PEERS_TEXT);
    }
  }
  return lines;
}
