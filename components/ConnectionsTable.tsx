import { Component } from 'preact';
import type { ConnectionsModel, PeerRowModel } from './connections-model';
import type { CopyModel } from './copy-model';
import { CopyButton } from './CopyButton';
import { NO_PEERS_TEXT } from './NodeStatus';
import type { SortKey } from './peer-sort';

export interface ConnectionsTableProps {
  connections: ConnectionsModel;
  copy: CopyModel;
  /** The id of the heading that names the table (the `Connections` region's). */
  labelledBy?: string;
}

const COLUMNS: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'peer', label: 'Peer' },
  { key: 'user', label: 'User' },
  { key: 'direction', label: 'Direction' },
  { key: 'state', label: 'State' },
  { key: 'strength', label: 'Strength' },
  { key: 'latency', label: 'Latency', numeric: true },
  { key: 'loss', label: 'Loss', numeric: true },
  { key: 'handshake', label: 'Last handshake' },
  { key: 'traffic', label: 'Traffic', numeric: true },
  { key: 'error', label: 'Last error' },
];

/**
 * The live connections, one row per peer (`data-node-id` holds its full node ID, for tests). Column
 * headers are buttons that sort (aria-sort on the sorted column). The table re-renders only when a
 * peer comes or goes or the order changes; a stats tick rewrites the cells' texts directly (see
 * connections-model.ts).
 */
export function ConnectionsTable({ connections, copy, labelledBy }: ConnectionsTableProps) {
  const rows = connections.rows.value;
  const loaded = connections.loaded.value;
  const sort = connections.sort.value;
  return (
    <div class="table-scroll" tabIndex={0}>
      <table class="connections" aria-labelledby={labelledBy}>
        <thead>
          <tr>
            {COLUMNS.map((column) => {
              const sorted = sort?.key === column.key ? sort.direction : undefined;
              return (
                <th key={column.key} scope="col" aria-sort={sorted} class={column.numeric ? 'num' : undefined}>
                  <button type="button" class="sort-button" onClick={() => connections.sortBy(column.key)}>
                    {column.label}
                    <span class="sort-arrow" aria-hidden="true">
                      {sorted === 'ascending' ? '▲' : sorted === 'descending' ? '▼' : '↕'}
                    </span>
                  </button>
                </th>
              );
            })}
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.length > 0 ? (
            rows.map((row) => <PeerRow key={row.nodeId} row={row} connections={connections} copy={copy} />)
          ) : (
            <tr>
              <td colSpan={COLUMNS.length + 1} class="empty">
                {loaded ? NO_PEERS_TEXT : 'Connecting to the node…'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

interface PeerRowProps {
  row: PeerRowModel;
  connections: ConnectionsModel;
  copy: CopyModel;
}

/**
 * One peer. Rendered once per connection: every changing cell is a signal bound as text, so the row
 * never re-renders for a tick, and a re-sort only moves it.
 */
class PeerRow extends Component<PeerRowProps> {
  override shouldComponentUpdate(next: PeerRowProps): boolean {
    return next.row !== this.props.row;
  }

  override render({ row, connections, copy }: PeerRowProps) {
    const id = row.nodeId;
    return (
      <tr data-node-id={id}>
        <th scope="row">
          <span class="peer-cell">
            <code title={id}>{row.short}</code>
            <CopyButton copy={copy} text={id} copyKey={`row ${id}`} label="Copy" ariaLabel={`Copy node ID ${id}`} />
          </span>
        </th>
        <td>
          <code title={row.userTitle}>{row.user}</code>
        </td>
        <td>{row.direction}</td>
        <td>{row.state}</td>
        <td>{row.strength}</td>
        <td class="num">{row.latency}</td>
        <td class="num">{row.loss}</td>
        <td>{row.handshake}</td>
        <td class="num traffic">
          <span>in {row.trafficIn}</span> <span>out {row.trafficOut}</span>
        </td>
        <td class="error-cell">{row.error}</td>
        <td>
          <span class="row-actions">
            <button type="button" class="button button-small" aria-label={`Disconnect ${id}`} onClick={() => void connections.disconnect(id)}>
              Disconnect
            </button>
            <button type="button" class="button button-small" aria-label={`Block ${id}`} onClick={() => void connections.block(id)}>
              Block
            </button>
          </span>
        </td>
      </tr>
    );
  }
}
