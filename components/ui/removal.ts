/**
 * Removing an entry of a list with `Undo` (docs/ui-contract.md: reversible actions offer Undo): the
 * block list's `Unblock` and the trust list's `Untrust`. The row goes at once, while the request is on
 * its way; once the background confirmed, Undo is offered; a failure puts the row back and says why.
 */
import { batch, type Signal } from '@preact/signals';
import type { ActionStatus } from './action-status';
import { describeError } from '../client/node-model';
import type { UndoSlot } from './undo-model';

interface RemovalSlots {
  /** IDs whose removal is on its way: the list hides them. */
  removing: Signal<ReadonlySet<string>>;
  status: Signal<ActionStatus | null>;
  undo: UndoSlot;
  /** The model's disposal scope: once aborted nothing is written any more. */
  signal: AbortSignal;
}

interface Removal<E> {
  /** Sends the removal; resolves with the removed entry (null: it was gone already) and how to show the new list. */
  send(): Promise<{ removed: E | null; accept(): void }>;
  /** "Unblocked node n…." */
  doneText: string;
  /** "node n… was not blocked any more." */
  goneText: string;
  /** The Undo: puts the removed entry back. */
  putBack(entry: E): unknown;
  /** What it does, for "Could not <action>: reason." */
  action: string;
}

/** Removes `id` as above. Never rejects. */
export async function removeWithUndo<E>(slots: RemovalSlots, id: string, removal: Removal<E>): Promise<void> {
  const { removing, status, undo, signal } = slots;
  const without = () => {
    const next = new Set(removing.peek());
    next.delete(id);
    return next;
  };
  batch(() => {
    removing.value = new Set(removing.peek()).add(id);
    status.value = null;
  });
  try {
    const { removed, accept } = await removal.send();
    if (signal.aborted) return;
    batch(() => {
      accept();
      removing.value = without();
    });
    if (removed) undo.show(removal.doneText, () => removal.putBack(removed));
    else undo.show(removal.goneText, () => undefined);
  } catch (error) {
    if (signal.aborted) return;
    batch(() => {
      removing.value = without();
      status.value = { kind: 'error', text: describeError(removal.action, error) };
    });
  }
}
