import { effect } from '@preact/signals';
import { Component } from 'preact';
import type { ConnectionsModel, PeerRowModel } from './connections-model';
import type { CopyModel } from '../../ui/copy-model';
import { CopyButton } from '../../ui/CopyButton';
import { DataTable, type DataColumn } from '../../ui/DataTable';
import { NO_PEERS_TEXT } from '../../ui/NodeStatus';
import type { SortKey } from './peer-sort';

interface ConnectionsTableProps {
  connections: ConnectionsModel;
  copy: CopyModel;
  /** The id of the heading that names the table (the `Connections` region's). */
  labelledBy?: string;
}

/**
 * The columns and their widths (rem): compact enough for a 1280 px window without sideways scrolling;
 * a row's score and last error open under it (`Details`). The table is laid out with fixed widths:
 * with automatic table layout every changed text made the browser measure all cells again (~20 ms a
 * tick with 200 rows).
 */
const COLUMNS: { key: SortKey; label: string; width: number; numeric?: boolean }[] = [
  { key: 'peer', label: 'Peer', width: 8 },
  { key: 'user', label: 'User', width: 6 },
  { key: 'direction', label: 'Direction', width: 5.5 },
  { key: 'path', label: 'Path', width: 4.5 },
  { key: 'state', label: 'State', width: 6.5 },
  { key: 'strength', label: 'Strength', width: 7 },
  { key: 'latency', label: 'Latency', width: 4.5, numeric: true },
  { key: 'loss', label: 'Loss', width: 3.5, numeric: true },
  { key: 'handshake', label: 'Last handshake', width: 6 },
  { key: 'traffic', label: 'Traffic', width: 5.5, numeric: true },
];
const ACTIONS_WIDTH = 15;

/**
 * The live connections, one row per peer (`data-node-id` holds its full node ID, for tests). Column
 * headers are buttons that sort (aria-sort on the sorted column). The table re-renders only when a
 * peer comes or goes or the order changes; a stats tick rewrites the cells' texts directly.
 */
export function ConnectionsTable({ connections, copy, labelledBy }: ConnectionsTableProps) {
  const rows = connections.rows.value;
  const loaded = connections.loaded.value;
  const sort = connections.sort.value;
  const columns: DataColumn[] = COLUMNS.map((column) => {
    const sorted = sort?.key === column.key ? sort.direction : undefined;
    return {
      key: column.key,
      numeric: column.numeric,
      sort: sorted,
      width: column.width,
      label: (
        <button type="button" class="sort-button" onClick={() => connections.sortBy(column.key)}>
          {column.label}
          <span class="sort-arrow" aria-hidden="true">
            {sorted === 'ascending' ? '▲' : sorted === 'descending' ? '▼' : '↕'}
          </span>
        </button>
      ),
    };
  });
  return (
    <DataTable
      class="connections connections-live"
      labelledBy={labelledBy}
      columns={[...columns, { key: 'actions', label: 'Actions', width: ACTIONS_WIDTH }]}
      rows={rows}
      rowBodies
      renderRow={(row) => <PeerRow key={row.nodeId} row={row} connections={connections} copy={copy} />}
      empty={loaded ? NO_PEERS_TEXT : 'Connecting to the node…'}
    />
  );
}

interface PeerRowProps {
  row: PeerRowModel;
  connections: ConnectionsModel;
  copy: CopyModel;
}

/** Changes an element's only text in place (a Text node's data: cheaper than replacing it). */
function setText(el: HTMLElement, text: string): void {
  const node = el.firstChild;
  if (node && node.nodeType === Node.TEXT_NODE && !node.nextSibling) (node as Text).data = text;
  else el.textContent = text;
}

/** The cells whose text follows the row's texts, in the order of their `<td>`s. */
const TEXT_CELLS = ['trust', 'user', 'direction', 'path', 'state', 'route', 'strength', 'latency', 'loss', 'handshake', 'trafficIn', 'trafficOut', 'score', 'error'] as const;

/**
 * One peer: its row and, under it, its details row (score, last error), in a `<tbody>` of their own so
 * that a re-sort moves both. Rendered once per connection and never re-rendered: an effect writes the row's changed
 * texts straight into its text nodes (one effect a row; see connections-model.ts), and a re-sort only
 * moves the row. The figures that change every tick sit in `.fig` boxes of fixed size with CSS
 * containment, so a changed figure is laid out alone instead of the whole table (measured: ~20 ms of
 * layout a tick with 200 rows otherwise).
 */
class PeerRow extends Component<PeerRowProps> {
  private readonly cells: Partial<Record<(typeof TEXT_CELLS)[number], HTMLElement | null>> = {};
  private userCode: HTMLElement | null = null;
  private details: HTMLElement | null = null;
  private stop: (() => void) | null = null;

  override shouldComponentUpdate(next: PeerRowProps): boolean {
    return next.row !== this.props.row;
  }

  override componentDidMount(): void {
    this.follow();
  }

  override componentDidUpdate(): void {
    this.follow();
  }

  override componentWillUnmount(): void {
    this.stop?.();
  }

  private follow(): void {
    this.stop?.();
    let shown = this.props.row.texts.peek();
    this.stop = effect(() => {
      const texts = this.props.row.texts.value;
      if (texts === shown) return;
      for (const key of TEXT_CELLS) {
        const cell = this.cells[key];
        if (cell && texts[key] !== shown[key]) setText(cell, texts[key]);
      }
      if (this.userCode && texts.userTitle !== shown.userTitle) this.userCode.title = texts.userTitle;
      shown = texts;
    });
  }

  override render({ row, connections, copy }: PeerRowProps) {
    const id = row.nodeId;
    const t = row.texts.peek();
    const cell = (key: (typeof TEXT_CELLS)[number]) => (el: HTMLElement | null) => {
      this.cells[key] = el;
    };
    const detailsId = `details-${id}`;
    // Toggled in place: the row is never re-rendered.
    const toggleDetails = (event: MouseEvent): void => {
      const button = event.currentTarget as HTMLButtonElement;
      const open = button.getAttribute('aria-expanded') !== 'true';
      button.setAttribute('aria-expanded', String(open));
      if (this.details) this.details.hidden = !open;
    };
    return (
      <tbody class="peer">
      <tr data-node-id={id}>
        <th scope="row">
          <span class="peer-cell">
            <code title={id}>{row.short}</code>
            <CopyButton copy={copy} text={id} copyKey={`row ${id}`} label="Copy" ariaLabel={`Copy node ID ${id}`} />
          </span>
          {/* Text, not a colour: "trusted" (issue 13), or nothing. */}
          <span class="trust-mark" ref={cell('trust')}>
            {t.trust}
          </span>
        </th>
        <td>
          <code
            title={t.userTitle || undefined}
            ref={(el) => {
              this.userCode = el;
              this.cells.user = el;
            }}
          >
            {t.user}
          </code>
        </td>
        <td ref={cell('direction')}>{t.direction}</td>
        <td ref={cell('path')} title="The signaling path that set this connection up">
          {t.path}
        </td>
        <td ref={cell('state')}>{t.state}</td>
        <td>
          <span class="fig" ref={cell('strength')}>
            {t.strength}
          </span>
        </td>
        <td class="num">
          <span class="fig" ref={cell('latency')}>
            {t.latency}
          </span>
        </td>
        <td class="num">
          <span class="fig" ref={cell('loss')}>
            {t.loss}
          </span>
        </td>
        <td>
          <span class="fig" ref={cell('handshake')}>
            {t.handshake}
          </span>
        </td>
        <td class="num traffic">
          <span class="fig">
            in <span ref={cell('trafficIn')}>{t.trafficIn}</span>
          </span>
          <span class="fig">
            out <span ref={cell('trafficOut')}>{t.trafficOut}</span>
          </span>
        </td>
        <td>
          <span class="row-actions">
            <button type="button" class="button button-small" aria-expanded="false" aria-controls={detailsId} aria-label={`Details of ${id}`} onClick={toggleDetails}>
              Details
            </button>
            <button type="button" class="button button-small" aria-label={`Disconnect ${id}`} onClick={() => void connections.disconnect(id)}>
              Disconnect
            </button>
            <button type="button" class="button button-small" aria-label={`Block ${id}`} onClick={() => void connections.block(id)}>
              Block
            </button>
          </span>
        </td>
      </tr>
      <tr id={detailsId} class="peer-details" data-details-for={id} hidden ref={(el) => {
        this.details = el;
      }}>
        <td colSpan={COLUMNS.length + 1}>
          <dl class="peer-details-list">
            <dt>Route</dt>
            <dd data-field="route" ref={cell('route')}>
              {t.route}
            </dd>
            <dt>Score</dt>
            <dd class="error-cell" ref={cell('score')}>
              {t.score}
            </dd>
            <dt>Last error</dt>
            <dd class="error-cell" ref={cell('error')}>
              {t.error}
            </dd>
          </dl>
        </td>
      </tr>
      </tbody>
    );
  }
}
