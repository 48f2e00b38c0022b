import { BlockList } from './block-list/BlockList';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { Connections } from './connections/Connections';
import type { DashboardModel } from './dashboard-model';
import { Diagnostics } from './diagnostics/Diagnostics';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Files } from './files/Files';
import { MeshControls } from './mesh-controls/MeshControls';
import { MeshPing } from './mesh-controls/MeshPing';
import { NetworkingStats } from './networking-stats/NetworkingStats';
import { Overview } from './overview/Overview';
import { NetworkSettings } from './network-settings/NetworkSettings';
import { dashboardSections, SectionNav } from './overview/SectionNav';
import { NodeControls } from './node-controls/NodeControls';
import { NodeStatus } from '../ui/NodeStatus';
import { P2PSwitch } from '../ui/P2PSwitch';
import { Pairing } from './pairing/Pairing';
import { Panel } from '../ui/Panel';
import { RendezvousMesh } from './rendezvous-mesh/RendezvousMesh';
import { SignalingEndpoint } from './signaling-endpoint/SignalingEndpoint';
import { TrustedPeers } from './trusted-peers/TrustedPeers';

interface DashboardProps {
  model: DashboardModel;
}

/**
 * The Node Dashboard (options page, opened in a tab): every region of docs/ui-contract.md. This component
 * reads no signal itself, so it renders once; each panel subscribes to the parts it shows. The overview
 * and the section navigation first, then what a user watches (charts, connections) above the fold, then
 * three columns of controls on a wide window (one on a narrow one), then files and diagnostics. One
 * confirmation dialog serves them all.
 */
export function Dashboard({ model }: DashboardProps) {
  const { node } = model;
  return (
    <main class="dashboard">
      <header class="dashboard-head">
        <h1>Meshdeck — Node Dashboard</h1>
        <NodeStatus model={node} showHealth={false} />
        <ErrorAlert model={node} />
      </header>
      <Overview overview={model.overview} />
      <SectionNav sections={dashboardSections(model)} />
      <NetworkingStats node={node} history={model.history} />
      <Connections node={node} connections={model.connections} copy={model.copy} />
      <div class="dashboard-columns">
        <div class="dashboard-column">
          <Panel title="P2P network" area="p2p">
            <P2PSwitch model={node} confirm={model.confirm} />
          </Panel>
          <SignalingEndpoint node={node} endpoint={model.endpoint} copy={model.copy} signaling={model.signaling} trial={model.trial} />
          <NetworkSettings settings={model.network} node={node} />
        </div>
        <div class="dashboard-column">
          <MeshControls node={node} mesh={model.mesh} controls={model.controls} />
          <NodeControls node={node} block={model.block} controls={model.controls} />
          <BlockList blockList={model.blockList} node={node} copy={model.copy} />
          <TrustedPeers trust={model.trust} node={node} copy={model.copy} />
        </div>
        <div class="dashboard-column">
          <RendezvousMesh node={node} mesh={model.mesh} />
          <MeshPing ping={model.ping} />
          {model.pairing && <Pairing pairing={model.pairing} />}
        </div>
      </div>
      {model.files && <Files files={model.files} />}
      <Diagnostics diagnostics={model.diagnostics} log={model.log} />
      <ConfirmDialog confirm={model.confirm} />
    </main>
  );
}
