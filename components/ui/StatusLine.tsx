import type { ReadonlySignal } from '@preact/signals';
import type { ActionStatus } from './action-status';
import './status-line.css';

interface StatusLineProps {
  status: ReadonlySignal<ActionStatus | null>;
}

/**
 * The outcome of a panel's action beside its control: progress and success in a polite status
 * region, failure in an alert. Both regions stay in the page while empty, so that screen readers
 * announce a message when it appears.
 */
export function StatusLine({ status }: StatusLineProps) {
  const s = status.value;
  return (
    <div class="action-result">
      <p role="status" class={s?.kind === 'pending' ? 'action-status action-pending' : 'action-status'}>
        {s && s.kind !== 'error' ? s.text : ''}
      </p>
      <p role="alert" class="action-error">
        {s?.kind === 'error' ? s.text : ''}
      </p>
    </div>
  );
}
