import { useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ConfirmModel, OpenConfirm } from './confirm-model';

export interface ConfirmDialogProps {
  confirm: Pick<ConfirmModel, 'current' | 'answer'>;
}

/**
 * The page's one confirmation dialog (UI-CONTRACT.md: buttons `Confirm` and `Cancel`; an
 * `alertdialog` for destructive actions). The native `<dialog>` opened with showModal() makes the
 * rest of the page inert (focus stays inside) and turns Escape into `cancel`; the focus goes back to
 * the control that opened it.
 */
export function ConfirmDialog({ confirm }: ConfirmDialogProps) {
  const request = confirm.current.value;
  return request ? <OpenDialog key={request.seq} request={request} confirm={confirm} /> : null;
}

function OpenDialog({ request, confirm }: { request: OpenConfirm; confirm: ConfirmDialogProps['confirm'] }) {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const [choice, setChoice] = useState(request.choices?.initial ?? null);

  useLayoutEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const { choices, details } = request;
  return (
    <dialog
      ref={ref}
      class="confirm"
      role={request.destructive ? 'alertdialog' : undefined}
      aria-labelledby={`${id}-t`}
      aria-describedby={`${id}-m`}
      // Escape: the dialog closes itself; the question is answered "no".
      onCancel={() => confirm.answer(false)}
    >
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          confirm.answer(true, choice);
        }}
      >
        <h2 id={`${id}-t`}>{request.title}</h2>
        <p id={`${id}-m`}>{request.message}</p>
        {choices && (
          <fieldset class="confirm-choices">
            <legend>{choices.legend}</legend>
            {choices.options.map((option) => (
              <label key={option.value}>
                <input
                  type="radio"
                  name={`${id}-c`}
                  value={option.value}
                  checked={choice === option.value}
                  // The focus starts on the chosen option (it comes before the buttons).
                  data-autofocus={option.value === choices.initial ? '' : undefined}
                  onChange={() => setChoice(option.value)}
                />
                {option.label}
              </label>
            ))}
          </fieldset>
        )}
        {details && details.length > 0 && (
          <ul class="confirm-details" tabIndex={0} aria-label="Details">
            {details.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        )}
        <div class="form-actions">
          <button type="submit" class="button button-primary" data-autofocus={request.destructive || choices ? undefined : ''}>
            Confirm
          </button>
          <button type="button" class="button" data-autofocus={request.destructive ? '' : undefined} onClick={() => confirm.answer(false)}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
