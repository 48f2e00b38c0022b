import type { PeerSnapshot } from '../core/observed-state';
import { NO_PEERS_TEXT } from './NodeStatus';
import { clampStrength, formatBytes, formatLoss, formatMs, formatRelativeTime, shortId, strengthWord } from './format';

export interface ConnectionsTableProps {
  peers: PeerSnapshot[] | null;
  now: number;
  /** The id of the heading that names the table (the `Connections` region's). */
  labelledBy: string;
}

const COLUMNS = ['Peer', 'User', 'Direction', 'State', 'Strength', 'Latency', 'Loss', 'Last handshake', 'Traffic'];

/** One row per peer; the row carries the full node ID in `data-node-id` for tests and later actions. */
export function ConnectionsTable({ peers, now, labelledBy }: ConnectionsTableProps) {
  return (
    <div class="table-scroll" tabIndex={0}>
      <table class="connections" aria-labelledby={labelledBy}>
        <thead>
          <tr>
            {COLUMNS.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {peers && peers.length > 0 ? (
            peers.map((peer) => <PeerRow key={peer.nodeId} peer={peer} now={now} />)
          ) : (
            <tr>
              <td colSpan={COLUMNS.length} class="empty">
                {peers ? NO_PEERS_TEXT : 'Connecting to the node…'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function PeerRow({ peer, now }: { peer: PeerSnapshot; now: number }) {
  const strength = clampStrength(peer.strength);
  return (
    <tr data-node-id={peer.nodeId}>
      <th scope="row">
        <code title={peer.nodeId}>{shortId(peer.nodeId)}</code>
      </th>
      <td>{peer.userId ? <code title={peer.userId}>{shortId(peer.userId)}</code> : <span class="muted">unverified</span>}</td>
      <td>{peer.direction}</td>
      <td>
        {peer.state}
        {peer.lastError && <span class="cell-note">{peer.lastError}</span>}
      </td>
      <td>
        {strength} — {strengthWord(strength)}
      </td>
      <td class="num">{formatMs(peer.rttMs)}</td>
      <td class="num">{formatLoss(peer.loss)}</td>
      <td>{formatRelativeTime(peer.lastHandshakeAt, now)}</td>
      <td class="num">
        in {formatBytes(peer.bytesIn)} · out {formatBytes(peer.bytesOut)}
      </td>
    </tr>
  );
}
