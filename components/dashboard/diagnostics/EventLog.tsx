import { Component } from 'preact';
import { useId } from 'preact/hooks';
import type { LogEntry } from '../../../core/node/observed-state';
import { countOf, shortId } from '../../ui/format';
import { DataTable } from '../../ui/DataTable';
import { LEVEL_FILTERS, LOG_LIMIT, type LevelFilter, type LogModel } from './log-model';

interface EventLogProps {
  log: LogModel;
}

/**
 * The node's event log, newest first, at most LOG_LIMIT rows, with a `Level` filter. Rows are keyed by
 * `seq` and never re-render, so a new entry costs one row.
 */
export function EventLog({ log }: EventLogProps) {
  const id = useId();
  const visible = log.visible.value;
  const total = log.entries.value.length;
  const filter = log.filter.value;
  return (
    <div class="event-log">
      <div class="log-head">
        <h3 id={`${id}-heading`}>Event log</h3>
        <label for={`${id}-level`}>Level</label>
        <select id={`${id}-level`} value={filter} onChange={(event) => log.setFilter((event.currentTarget as HTMLSelectElement).value as LevelFilter)}>
          {LEVEL_FILTERS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
        <span class="muted log-count">
          {visible.length === total ? countOf(total, 'event') : `${visible.length} of ${countOf(total, 'event')}`} (the last {LOG_LIMIT} kept)
        </span>
      </div>
      {visible.length === 0 ? (
        <p class="muted">{total === 0 ? 'No events yet: connections, refusals, errors and your actions appear here.' : 'No event at this level: choose All levels to see the others.'}</p>
      ) : (
        <DataTable
          class="log-table"
          scrollClass="log-scroll"
          scrollNamed
          labelledBy={`${id}-heading`}
          columns={['Time', 'Level', 'Event', 'Message']}
          rows={visible}
          renderRow={(entry) => <LogRow key={entry.seq} entry={entry} />}
        />
      )}
    </div>
  );
}

class LogRow extends Component<{ entry: LogEntry }> {
  override shouldComponentUpdate(next: { entry: LogEntry }): boolean {
    return next.entry !== this.props.entry;
  }

  override render({ entry }: { entry: LogEntry }) {
    return (
      <tr class={`log-${entry.level}`} data-seq={entry.seq}>
        <td class="num">
          <time dateTime={new Date(entry.at).toISOString()}>{new Date(entry.at).toLocaleTimeString()}</time>
        </td>
        <td>
          <span class={`level level-${entry.level}`}>{entry.level}</span>
        </td>
        <td>
          <code>{entry.type}</code>
        </td>
        <td class="log-message">
          {entry.message}
          {entry.nodeId && (
            <>
              {' '}
              <code title={entry.nodeId}>{shortId(entry.nodeId)}</code>
            </>
          )}
        </td>
      </tr>
    );
  }
}
