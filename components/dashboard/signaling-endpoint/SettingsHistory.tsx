import { useId } from 'preact/hooks';
import type { ReadonlySignal } from '@preact/signals';
import { sameEndpoints } from '../../../core/control/endpoint-trial';
import { formatRelativeTime } from '../../ui/format';
import { StatusLine } from '../../ui/StatusLine';
import type { TrialModel } from './trial-model';

interface SettingsHistoryProps {
  trial: Pick<TrialModel, 'history' | 'historyStatus' | 'current' | 'loadHistory' | 'restore'>;
  now: ReadonlySignal<number>;
}

/**
 * "Settings history": endpoint configurations that worked, newest first, each with `Restore` (a new
 * trial of those endpoints). A native disclosure; the history is read when it opens.
 */
export function SettingsHistory({ trial, now }: SettingsHistoryProps) {
  const id = useId();
  const history = trial.history.value;
  const current = trial.current.value;
  return (
    <details
      class="settings-history"
      onToggle={(event) => {
        if ((event.currentTarget as HTMLDetailsElement).open) void trial.loadHistory();
      }}
    >
      <summary>Settings history</summary>
      {history === null ? (
        <p class="muted">Loading…</p>
      ) : history.length === 0 ? (
        <p class="muted">No earlier configuration yet: one is kept each time new endpoints connect.</p>
      ) : (
        <ul class="history-list">
          {history.map((entry, i) => {
            const inUse = current !== null && sameEndpoints(current, entry);
            return (
              <li key={`${entry.workedAt} ${i}`}>
                <div id={`${id}-${i}`} class="history-entry">
                  <code class="id">{entry.signalingUrl}</code>
                  <span class="hint">
                    relays: {entry.relayUrls.join(', ')}; room {entry.room}; last worked {formatRelativeTime(entry.workedAt, now.value)}
                    {inUse ? ' (in use)' : ''}
                  </span>
                </div>
                {!inUse && (
                  <button type="button" class="button button-small" aria-describedby={`${id}-${i}`} onClick={() => void trial.restore(entry)}>
                    Restore
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <StatusLine status={trial.historyStatus} />
    </details>
  );
}
