/**
 * A box that takes a node or user ID and adds it to a list: the `Node or user ID` box and its `Block`
 * (block-box-model.ts), the `Trusted node or user ID` box and its `Trust` (trusted-peers/). The ID is
 * checked at the field before anything is sent (block-id.ts), and the background's own check of it
 * lands at the field too.
 */
import { batch, signal, type ReadonlySignal } from '@preact/signals';
import type { ActionStatus } from '../../ui/action-status';
import { checkBlockId, type IdList } from './block-id';
import { shortId } from '../../ui/format';
import { describeError } from '../../client/node-model';
import type { DashboardNodeModel } from '../snapshot-parts';

export interface IdBoxModel {
  readonly draft: ReadonlySignal<string>;
  /** Why the box's content was refused, shown at the field. */
  readonly fieldError: ReadonlySignal<string | null>;
  readonly status: ReadonlySignal<ActionStatus | null>;
  setDraft(text: string): void;
  /** Checks the box and adds its ID. Resolves true when added; never rejects. */
  submit(): Promise<boolean>;
  dispose(): void;
}

interface CheckedId {
  id: string;
  kind: 'node' | 'user';
  /** "user u2xk…": how the status texts name it. */
  what: string;
}

interface IdBoxOptions {
  list: IdList;
  /**
   * Once the ID checked out: a question to ask first (a user block asks for confirmation), whose false
   * stops there; null to go on at once.
   */
  ask?(id: CheckedId): Promise<boolean> | null;
  /** Sends the request; rejects with the background's error. */
  send(id: CheckedId, signal: AbortSignal): Promise<unknown>;
  /** "block user u2xk…", for "Could not block user u2xk…: reason." */
  action(id: CheckedId): string;
  /** "Blocking user u2xk……". */
  pending(id: CheckedId): string;
  done(id: CheckedId): string;
}

export function createIdBoxModel(node: Pick<DashboardNodeModel, 'identity'>, options: IdBoxOptions): IdBoxModel {
  const draft = signal('');
  const fieldError = signal<string | null>(null);
  const status = signal<ActionStatus | null>(null);
  /** Aborted by dispose(): replies still on their way then write nothing. */
  const scope = new AbortController();
  return {
    draft,
    fieldError,
    status,
    setDraft(text) {
      batch(() => {
        draft.value = text;
        fieldError.value = null;
      });
    },
    async submit() {
      const check = checkBlockId(draft.peek(), node.identity.peek(), options.list);
      if (!check.ok) {
        batch(() => {
          fieldError.value = check.message;
          status.value = null;
        });
        return false;
      }
      fieldError.value = null;
      const checked: CheckedId = { id: check.id, kind: check.kind, what: `${check.kind} ${shortId(check.id)}` };
      const question = options.ask?.(checked) ?? null;
      if (question) {
        status.value = null;
        if (!(await question) || scope.signal.aborted) return false;
      }
      const pending: ActionStatus = { kind: 'pending', text: options.pending(checked) };
      status.value = pending;
      try {
        await options.send(checked, scope.signal);
      } catch (error) {
        if (scope.signal.aborted || status.peek() !== pending) return false;
        const e = error as { name?: string; message?: string };
        batch(() => {
          // The background's own check of the ID (core/blocklist/block-list.ts) belongs at the field too.
          if (e?.name === 'BlockInputError') {
            status.value = null;
            fieldError.value = sentence(String(e.message ?? 'not a node or user ID'));
          } else status.value = { kind: 'error', text: describeError(options.action(checked), error) };
        });
        return false;
      }
      if (scope.signal.aborted || status.peek() !== pending) return true;
      batch(() => {
        status.value = { kind: 'ok', text: options.done(checked) };
        if (draft.peek().trim() === check.id) draft.value = '';
      });
      return true;
    },
    dispose() {
      scope.abort();
    },
  };
}

function sentence(text: string): string {
  return `${text[0]!.toUpperCase()}${text.slice(1).replace(/\.$/, '')}.`;
}
