import { useId } from 'preact/hooks';
import { describeClose } from '../../../core/session/close-reason';
import { CLOSED_KEPT_MS } from '../../../core/node/session-table';
import type { ConnectionsModel } from './connections-model';
import { DataTable } from '../../ui/DataTable';
import { formatPeriod, formatRelativeTime, shortId } from '../../ui/format';
import type { DashboardNodeModel } from '../snapshot-parts';

interface ClosedPeersProps {
  node: Pick<DashboardNodeModel, 'closedPeers' | 'now'>;
  connections: Pick<ConnectionsModel, 'reconnect'>;
}

/** The reason the node gives a connection the user closed (core/session/close-reason.ts). */
const BY_YOU = describeClose('user-disconnect');

/**
 * Connections that ended in the last 2 minutes, with why and their last error (issue 4: errors are
 * pinned to the connection that failed). A separate table: these are not live rows. One the user
 * disconnected offers `Reconnect` (the node does not redial it by itself for 10 minutes).
 */
export function ClosedPeers({ node, connections }: ClosedPeersProps) {
  const id = useId();
  const closed = node.closedPeers.value;
  // The clock is read (and subscribed to) only while there is something to say "12 s ago" about.
  const now = closed.length > 0 ? node.now.value : 0;
  return (
    <div class="closed-peers">
      <h3 id={`${id}-heading`}>Recently closed</h3>
      {closed.length === 0 ? (
        <p class="muted">No connection closed in the last {formatPeriod(CLOSED_KEPT_MS)}.</p>
      ) : (
        <DataTable
          class="connections closed"
          labelledBy={`${id}-heading`}
          columns={['Peer', 'Direction', 'Closed', 'Reason', 'Last error', 'Actions']}
          rows={closed}
          renderRow={(peer) => (
            <tr key={`${peer.nodeId} ${peer.closedAt}`} data-closed-node-id={peer.nodeId}>
              <th scope="row">
                <code title={peer.nodeId}>{shortId(peer.nodeId)}</code>
              </th>
              <td>{peer.direction}</td>
              <td>{formatRelativeTime(peer.closedAt, now)}</td>
              <td>{peer.reason}</td>
              <td class="error-cell">{peer.lastError ?? '—'}</td>
              <td>
                {peer.reason === BY_YOU && (
                  <button type="button" class="button button-small" aria-label={`Reconnect ${peer.nodeId}`} onClick={() => void connections.reconnect(peer.nodeId)}>
                    Reconnect
                  </button>
                )}
              </td>
            </tr>
          )}
        />
      )}
    </div>
  );
}
