import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';
import type { IdBoxModel } from './id-box-model';
import { FormField } from '../../ui/FormField';
import { StatusLine } from '../../ui/StatusLine';

interface IdBoxProps {
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
      <FormField
        label={label}
        hint={hint}
        error={error}
        action={
          <button type="submit" class="button">
            {action}
          </button>
        }
      >
        {(control) => (
          <input
            {...control}
            ref={input}
            type="text"
            autoComplete="off"
            spellcheck={false}
            placeholder="n… or u…"
            value={box.draft.value}
            onInput={(event) => box.setDraft((event.currentTarget as HTMLInputElement).value)}
          />
        )}
      </FormField>
      <StatusLine status={box.status} />
    </form>
  );
}
