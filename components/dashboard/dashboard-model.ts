/**
 * Every model of the Node Dashboard, made from one view client and disposed together (like the
 * preactjs/signals devtools `context.ts`). The popup uses only the node model, so none of this (nor
 * uPlot) reaches its bundle.
 */
import { createBlockListModel, type BlockListModel } from './block-list/block-list-model';
import { createBlockModel, type BlockModel } from './node-controls/block-box-model';
import { createConfirmModel, type ConfirmModel } from '../ui/confirm-model';
import { createControlsModel, type ControlsModel } from './node-controls/controls-model';
import { createConnectionsModel, type ConnectionsModel } from './connections/connections-model';
import { createCopyModel, type CopyModel } from '../ui/copy-model';
import { createDiagnosticsModel, type DiagnosticsModel, type SaveFile } from './diagnostics/diagnostics-model';
import { createEndpointModel, type EndpointModel } from './signaling-endpoint/endpoint-model';
import { createHistoryModel, type HistoryModel } from './networking-stats/stats-history-model';
import { createLogModel, type LogModel } from './diagnostics/log-model';
import { createMeshModel, type MeshModel } from './rendezvous-mesh/mesh-model';
import { createNodeModel } from '../client/node-model';
import { createPingModel, type PingModel } from './mesh-controls/ping-model';
import { createFilesModel, saveBlobAsDownload, type FilesModel, type SaveBlob } from './files/files-model';
import { memoryBlobStore, type BlobStore } from '../../core/files/blob-store';
import { createPairingModel, type PairingModel } from './pairing/pairing-model';
import { createSignalingModel, type SignalingModel } from './signaling-endpoint/signaling-model';
import { withSnapshotParts, type DashboardNodeModel } from './snapshot-parts';
import { createTrialModel, type TrialModel } from './signaling-endpoint/trial-model';
import { createTrustModel, type TrustModel } from './trusted-peers/trust-model';
import type { ViewClient } from '../client/view-client';
import { createOverviewModel, type OverviewModel } from './overview/overview-model';
import { createNetworkSettingsModel, type NetworkSettingsModel } from './network-settings/network-settings-model';

export type DashboardClient = Omit<ViewClient, 'close'>;

export interface DashboardModel {
  node: DashboardNodeModel;
  overview: OverviewModel;
  network: NetworkSettingsModel;
  history: HistoryModel;
  log: LogModel;
  connections: ConnectionsModel;
  mesh: MeshModel;
  ping: PingModel;
  /** Null on a headless node's dashboard: it shares no files (BROWSER_ONLY_REQUESTS). */
  files: FilesModel | null;
  block: BlockModel;
  blockList: BlockListModel;
  /** The trust list and `Trusted peers only` (issue 13). */
  trust: TrustModel;
  endpoint: EndpointModel;
  /** Stop/Resume signaling and Retry now. */
  signaling: SignalingModel;
  trial: TrialModel;
  /** Undo of the routing, pause and trusted-only switches. */
  controls: ControlsModel;
  /** The page's one confirmation dialog. */
  confirm: ConfirmModel;
  diagnostics: DiagnosticsModel;
  copy: CopyModel;
  /** Null on a headless node's dashboard: it does not pair. */
  pairing: PairingModel | null;
  /** Disposes every model; the client belongs to the caller. */
  dispose(): void;
}

interface DashboardModelOptions {
  /** How often the clock for "12 s ago" texts ticks; 0 disables it. */
  tickMs?: number;
  now?: () => number;
  saveFile?: SaveFile;
  writeClipboard?: (text: string) => Promise<void>;
  /** Where files cross to the node host (IndexedDB in the extension; memory when absent). */
  blobs?: BlobStore;
  saveBlob?: SaveBlob;
  /** Served by meshdeck-node: no Files or Pairing (core/control/view-socket.ts, BROWSER_ONLY_REQUESTS). */
  headless?: boolean;
}

export function createDashboardModel(client: DashboardClient, options: DashboardModelOptions = {}): DashboardModel {
  const node = withSnapshotParts(createNodeModel(client, { tickMs: options.tickMs, now: options.now }));
  const history = createHistoryModel(client, { now: options.now });
  const confirm = createConfirmModel();
  const controls = createControlsModel(node);
  const models = {
    node,
    overview: createOverviewModel(node.snapshot),
    network: createNetworkSettingsModel(node),
    history,
    log: createLogModel(client),
    connections: createConnectionsModel(node, client, confirm),
    mesh: createMeshModel(node, client),
    ping: createPingModel(node, client),
    files: options.headless ? null : createFilesModel(node, client, { blobs: options.blobs ?? memoryBlobStore(), save: options.saveBlob ?? saveBlobAsDownload }),
    block: createBlockModel(node, client, confirm),
    blockList: createBlockListModel(node, client, confirm, { save: options.saveFile, now: options.now }),
    trust: createTrustModel(node, client, confirm, controls),
    endpoint: createEndpointModel(node),
    signaling: createSignalingModel(node, client, confirm, { now: options.now }),
    trial: createTrialModel(node, client),
    controls,
    confirm,
    diagnostics: createDiagnosticsModel(node, history.lastTickAt, client, { save: options.saveFile, now: options.now }),
    copy: createCopyModel(node, options.writeClipboard),
    pairing: options.headless ? null : createPairingModel(node, client, confirm, { now: options.now }),
  };
  return {
    ...models,
    dispose() {
      for (const model of Object.values(models)) model?.dispose();
    },
  };
}
