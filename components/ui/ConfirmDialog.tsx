import { useId, useLayoutEffect, useRef } from 'preact/hooks';
import type { ConfirmModel, OpenConfirm } from './confirm-model';

interface ConfirmDialogProps {
  confirm: Pick<ConfirmModel, 'current' | 'answer'>;
}

/**
 * The page's one confirmation dialog (docs/ui-contract.md: buttons `Confirm` and `Cancel`; an
 * `alertdialog` for destructive actions). The native `<dialog>` opened with showModal() makes the
 * rest of the page inert (focus stays inside), focuses its `autofocus` element (Cancel for a
 * destructive action, else the chosen option or Confirm) and turns Escape into `cancel`; the focus
 * goes back to the control that opened it. Kept small: the popup carries it.
 */
export function ConfirmDialog({ confirm }: ConfirmDialogProps) {
  const request = confirm.current.value;
  return request ? <Open key={request.seq} r={request} answer={confirm.answer} /> : null;
}

function Open({ r, answer }: { r: OpenConfirm; answer: ConfirmDialogProps['confirm']['answer'] }) {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  useLayoutEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement as HTMLElement | null;
    dialog.showModal();
    return () => {
      dialog.close();
      opener?.focus();
    };
  }, []);
  const danger = !!r.destructive;
  return (
    <dialog
      ref={ref}
      class="confirm"
      role={danger ? 'alertdialog' : undefined}
      aria-labelledby={id + 't'}
      aria-describedby={id + 'm'}
      // Escape: the dialog closes itself, and the answer is no.
      onCancel={() => answer(false)}
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          answer(true, new FormData(event.currentTarget).get('choice') as string | null);
        }}
      >
        <h2 id={id + 't'}>{r.title}</h2>
        <p id={id + 'm'}>{r.message}</p>
        {r.choices && (
          <fieldset class="confirm-choices">
            <legend>{r.choices.legend}</legend>
            {r.choices.options.map(({ value, label }) => (
              <label key={value}>
                <input type="radio" name="choice" value={value} defaultChecked={value === r.choices!.initial} autofocus={value === r.choices!.initial} />
                {label}
              </label>
            ))}
          </fieldset>
        )}
        {r.details && (
          <ul class="confirm-details" tabIndex={0} aria-label="Details">
            {r.details.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        )}
        <div class="form-actions">
          <button class="button button-primary" autofocus={!danger && !r.choices}>
            Confirm
          </button>
          <button type="button" class="button" autofocus={danger && !r.choices} onClick={() => answer(false)}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
