/**
 * `Undo` for reversible actions (issue 6; docs/ui-contract.md: a status message with a button `Undo`): an
 * offer stays for UNDO_MS, then goes; pressing Undo runs the inverse action once.
 */
import { signal, type ReadonlySignal } from '@preact/signals';

export const UNDO_MS = 8000;

export interface UndoOffer {
  /** What was done ("Unblocked node nabcdefg…."), or what the undo did. */
  text: string;
  /** False once used: the text stays a moment, without the button. */
  undoable: boolean;
}

export interface UndoSlot {
  readonly offer: ReadonlySignal<UndoOffer | null>;
  /** Offers `undo` for UNDO_MS beside `text`, replacing an earlier offer. */
  show(text: string, undo: () => unknown): void;
  /** Runs the offered undo (at most once); `done` is shown after it. */
  undo(done?: string): void;
  clear(): void;
  dispose(): void;
}

export function createUndoSlot(ms = UNDO_MS): UndoSlot {
  const offer = signal<UndoOffer | null>(null);
  let action: (() => unknown) | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function expireIn(delay: number): void {
    clearTimeout(timer);
    timer = setTimeout(() => {
      action = null;
      offer.value = null;
    }, delay);
  }

  return {
    offer,
    show(text, undo) {
      action = undo;
      offer.value = { text, undoable: true };
      expireIn(ms);
    },
    undo(done = 'Undone.') {
      const run = action;
      if (!run) return;
      action = null;
      offer.value = { text: done, undoable: false };
      expireIn(ms / 2);
      run();
    },
    clear() {
      clearTimeout(timer);
      action = null;
      offer.value = null;
    },
    dispose() {
      clearTimeout(timer);
      action = null;
    },
  };
}
