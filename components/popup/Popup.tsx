import { ConfirmDialog } from '../ui/ConfirmDialog';
import type { ConfirmModel } from '../ui/confirm-model';
import { DashboardButton } from './DashboardButton';
import { ErrorAlert } from '../ui/ErrorAlert';
import { NetworkStats } from './NetworkStats';
import { NodeStatus } from '../ui/NodeStatus';
import { P2PSwitch } from '../ui/P2PSwitch';
import { StrengthMeter } from '../ui/StrengthMeter';
import { shortId } from '../ui/format';
import type { NodeModel } from '../client/node-model';

interface PopupProps {
  model: NodeModel;
  confirm: ConfirmModel;
  onOpenDashboard: () => void;
}

/** The toolbar popup: the P2P tab (docs/ui-contract.md, "Popup — the P2P tab"). */
export function Popup({ model, confirm, onOpenDashboard }: PopupProps) {
  const snapshot = model.snapshot.value;
  return (
    <main class="popup">
      <header class="popup-head">
        <h1>Meshdeck</h1>
        <P2PSwitch model={model} confirm={confirm} />
      </header>
      <StrengthMeter strength={snapshot ? snapshot.totals.strength : null} />
      <NetworkStats totals={snapshot ? snapshot.totals : null} />
      <NodeStatus model={model} />
      {model.switches.trustedOnly.value && (
        <p class="popup-mode" data-field="trusted-only">
          Trusted peers only: other peers are refused.
        </p>
      )}
      <ErrorAlert model={model} />
      <DashboardButton onOpen={onOpenDashboard} />
      <footer class="popup-foot">
        {snapshot ? (
          <>
            <span>
              Node <code title={snapshot.nodeId}>{shortId(snapshot.nodeId)}</code>
            </span>
            <span>Signaling: {snapshot.signaling.state}</span>
            <span data-field="blocked-count">Blocked: {snapshot.controls.blocked.length}</span>
          </>
        ) : (
          <span>Node: not connected yet</span>
        )}
      </footer>
      <ConfirmDialog confirm={confirm} />
    </main>
  );
}
