/**
 * Confirmations (issue 6: destructive actions ask first). One question at a time, shown by the one
 * `ConfirmDialog` of the page; the action that asked awaits the answer. Small on purpose: the popup
 * carries it too (its bundle stays under 20 KB gzip).
 */
import { signal, type ReadonlySignal } from '@preact/signals';

export interface ConfirmRequest {
  /** The dialog's heading and accessible name: a question ("Turn off the P2P network?"). */
  title: string;
  /** What will happen, in a sentence or two: the dialog's description. */
  message: string;
  /** Destructive: the dialog is an `alertdialog` and the focus starts on `Cancel`. */
  destructive?: boolean;
  /** A choice to make before confirming, as a radio group; the answer carries the chosen value. */
  choices?: { legend: string; options: readonly { value: string; label: string }[]; initial: string };
  /** Lines listed under the message (for example the IDs an import adds). */
  details?: readonly string[];
}

export interface ConfirmAnswer {
  confirmed: boolean;
  /** The chosen value of `choices`; null without choices or when cancelled. */
  choice: string | null;
}

export interface OpenConfirm extends ConfirmRequest {
  /** Tells two questions apart (the dialog is re-created for a new one). */
  readonly seq: number;
}

export interface ConfirmModel {
  /** The question on screen, or null. */
  readonly current: ReadonlySignal<OpenConfirm | null>;
  /** Shows the question and resolves with the answer. A newer question cancels one still open. */
  ask(request: ConfirmRequest): Promise<ConfirmAnswer>;
  /** Resolves to true when confirmed. */
  confirm(request: ConfirmRequest): Promise<boolean>;
  /** Called by the dialog: `Confirm` (with the choice) or `Cancel`, Escape. */
  answer(confirmed: boolean, choice?: string | null): void;
  /** Cancels an open question. */
  dispose(): void;
}

const CANCELLED: ConfirmAnswer = { confirmed: false, choice: null };

export function createConfirmModel(): ConfirmModel {
  const current = signal<OpenConfirm | null>(null);
  let settle: ((answer: ConfirmAnswer) => void) | null = null;
  let seq = 0;

  function answer(confirmed: boolean, choice: string | null = null): void {
    const done = settle;
    if (!done) return;
    settle = null;
    current.value = null;
    done(confirmed ? { confirmed, choice } : CANCELLED);
  }

  function ask(request: ConfirmRequest): Promise<ConfirmAnswer> {
    answer(false);
    return new Promise((resolve) => {
      settle = resolve;
      current.value = { ...request, seq: ++seq };
    });
  }

  return {
    current,
    ask,
    confirm: (request) => ask(request).then((a) => a.confirmed),
    answer,
    dispose: () => answer(false),
  };
}
