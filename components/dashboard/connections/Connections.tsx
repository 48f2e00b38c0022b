import { useId } from 'preact/hooks';
import { ClosedPeers } from './ClosedPeers';
import type { ConnectionsModel } from './connections-model';
import { ConnectionsTable } from './ConnectionsTable';
import type { CopyModel } from '../../ui/copy-model';
import type { DashboardNodeModel } from '../snapshot-parts';
import { Panel } from '../../ui/Panel';
import { StatusLine } from '../../ui/StatusLine';
import './connections.css';

interface ConnectionsProps {
  node: Pick<DashboardNodeModel, 'closedPeers' | 'now'>;
  connections: ConnectionsModel;
  copy: CopyModel;
}

/** The `Connections` region: the live table, the outcome of its row actions, recently closed ones. */
export function Connections({ node, connections, copy }: ConnectionsProps) {
  const id = useId();
  return (
    <Panel title="Connections" area="conns" headingId={`${id}-heading`}>
      <ConnectionsTable connections={connections} copy={copy} labelledBy={`${id}-heading`} />
      <StatusLine status={connections.status} />
      <ClosedPeers node={node} connections={connections} />
    </Panel>
  );
}
