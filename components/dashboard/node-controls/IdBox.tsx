import type { ComponentChildren } from 'preact';
import { useId, useRef } from 'preact/hooks';
import type { IdBoxModel } from './id-box-model';
import { StatusLine } from '../../ui/StatusLine';

export interface IdBoxProps {
  box: IdBoxModel;
  /** The textbox's accessible name (docs/ui-contract.md): keep it exact. */
  label: string;
  /** The button's name: `Block`, `Trust`. */
  action: string;
  /** Under the box: what the ID does there. */
  hint: ComponentChildren;
  class?: string;
}

/**
 * A node or user ID box and its button (id-box-model.ts). A refused ID is reported at the field and
 * the focus stays there; the outcome is announced below.
 */
export function IdBox({ box, label, action, hint, class: className }: IdBoxProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const error = box.fieldError.value;
  return (
    <form
      class={className}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void box.submit().then((ok) => {
          if (!ok && box.fieldError.peek()) input.current?.focus();
        });
      }}
    >
      <div class="field">
        <label for={`${id}-input`}>{label}</label>
        <div class="field-row">
          <input
            id={`${id}-input`}
            ref={input}
            type="text"
            autoComplete="off"
            spellcheck={false}
            placeholder="n… or u…"
            value={box.draft.value}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error ${id}-hint` : `${id}-hint`}
            onInput={(event) => box.setDraft((event.currentTarget as HTMLInputElement).value)}
          />
          <button type="submit" class="button">
            {action}
          </button>
        </div>
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
        {error && (
          <p id={`${id}-error`} class="field-error">
            {error}
          </p>
        )}
      </div>
      <StatusLine status={box.status} />
    </form>
  );
}
