import { useId } from 'preact/hooks';
import { ConnectionsTable } from './ConnectionsTable';
import { ErrorAlert } from './ErrorAlert';
import { NodeStatus } from './NodeStatus';
import { P2PSwitch } from './P2PSwitch';
import { SignalingEndpoint } from './SignalingEndpoint';
import type { NodeModel } from './node-model';

export interface DashboardProps {
  model: NodeModel;
}

/**
 * The Node Dashboard (options page, opened in a tab). For now the signaling endpoint, the on/off
 * switch and the connections; the other regions of UI-CONTRACT.md come with their features.
 */
export function Dashboard({ model }: DashboardProps) {
  const id = useId();
  const snapshot = model.snapshot.value;
  const now = model.now.value;
  return (
    <main class="dashboard">
      <header class="dashboard-head">
        <h1>Meshdeck — Node Dashboard</h1>
        <NodeStatus model={model} showEmpty={false} />
        <ErrorAlert model={model} />
      </header>
      <div class="dashboard-grid">
        <SignalingEndpoint
          signaling={snapshot?.signaling ?? null}
          settings={model.settings.value}
          nodeId={snapshot?.nodeId ?? null}
          userId={snapshot?.userId ?? null}
          now={now}
        />
        <section class="panel" aria-labelledby={`${id}-p2p`}>
          <h2 id={`${id}-p2p`}>P2P network</h2>
          <P2PSwitch model={model} />
        </section>
      </div>
      <section class="panel" aria-labelledby={`${id}-connections`}>
        <h2 id={`${id}-connections`}>Connections</h2>
        <ConnectionsTable peers={snapshot?.peers ?? null} now={now} labelledBy={`${id}-connections`} />
      </section>
    </main>
  );
}
