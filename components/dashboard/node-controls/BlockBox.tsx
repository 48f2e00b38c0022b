import { useId, useRef } from 'preact/hooks';
import type { BlockModel } from './block-box-model';
import { countOf } from '../../ui/format';
import type { DashboardNodeModel } from '../snapshot-parts';
import { StatusLine } from '../../ui/StatusLine';

export interface BlockBoxProps {
  block: BlockModel;
  node: Pick<DashboardNodeModel, 'controls'>;
}

/**
 * The `Node or user ID` box and its `Block` button. A refused ID is reported at the field and the
 * focus stays there; the outcome of a block is announced below.
 */
export function BlockBox({ block, node }: BlockBoxProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const error = block.fieldError.value;
  const blocked = node.controls.value?.blocked.length;
  return (
    <form
      class="block-box"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void block.submit().then((ok) => {
          if (!ok && block.fieldError.peek()) input.current?.focus();
        });
      }}
    >
      <div class="field">
        <label for={`${id}-input`}>Node or user ID</label>
        <div class="field-row">
          <input
            id={`${id}-input`}
            ref={input}
            type="text"
            autoComplete="off"
            spellcheck={false}
            placeholder="n… or u…"
            value={block.draft.value}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error ${id}-hint` : `${id}-hint`}
            onInput={(event) => block.setDraft((event.currentTarget as HTMLInputElement).value)}
          />
          <button type="submit" class="button">
            Block
          </button>
        </div>
        <p id={`${id}-hint`} class="hint">
          A node ID blocks one browser; a user ID blocks all browsers of that user.
          {blocked !== undefined && ` Blocked now: ${countOf(blocked, 'ID')}.`}
        </p>
        {error && (
          <p id={`${id}-error`} class="field-error">
            {error}
          </p>
        )}
      </div>
      <StatusLine status={block.status} />
    </form>
  );
}
