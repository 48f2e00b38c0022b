import type { NodeModel } from '../client/node-model';

interface ErrorAlertProps {
  model: Pick<NodeModel, 'lastError' | 'dismissError'>;
}

/**
 * The last failed action, in words. The role=alert container stays in the page even when empty, so
 * that screen readers announce a message when it appears.
 */
export function ErrorAlert({ model }: ErrorAlertProps) {
  const message = model.lastError.value;
  return (
    <div role="alert" class={message ? 'alert' : 'alert alert-empty'}>
      {message && (
        <>
          <p>{message}</p>
          <button type="button" class="button button-small" onClick={() => model.dismissError()}>
            Dismiss
          </button>
        </>
      )}
    </div>
  );
}
