import { useRef } from 'preact/hooks';
import type { UndoSlot } from './undo-model';
import './undo-status.css';

interface UndoStatusProps {
  slot: Pick<UndoSlot, 'offer' | 'undo'>;
  /** Shown once the undo ran. */
  doneText?: string;
}

/**
 * A reversible action's outcome with its `Undo` button (docs/ui-contract.md), in a polite status region
 * that stays in the page while empty so that a new message is announced. Pressing Undo moves the
 * focus to the message, since the button goes away.
 */
export function UndoStatus({ slot, doneText }: UndoStatusProps) {
  const region = useRef<HTMLDivElement>(null);
  const offer = slot.offer.value;
  return (
    <div role="status" class="undo-status" ref={region} tabIndex={-1}>
      {offer && (
        <>
          <span>{offer.text}</span>
          {offer.undoable && (
            <button
              type="button"
              class="button button-small"
              onClick={() => {
                region.current?.focus();
                slot.undo(doneText);
              }}
            >
              Undo
            </button>
          )}
        </>
      )}
    </div>
  );
}
