/**
 * The block box of the Node controls panel (issue 4; the full block list is issue 5): a node or user
 * ID, checked at the field before anything is sent, then `block:add`.
 */
import { batch, signal, type ReadonlySignal } from '@preact/signals';
import type { ActionStatus } from '../../ui/action-status';
import { checkBlockId } from './block-id';
import type { ConfirmModel } from '../../ui/confirm-model';
import { shortId } from '../../ui/format';
import { describeError } from '../../client/node-model';
import type { NodeSnapshot } from '../../../core/node/observed-state';
import type { DashboardNodeModel } from '../snapshot-parts';
import type { ViewClient } from '../../client/view-client';

export interface BlockModel {
  readonly draft: ReadonlySignal<string>;
  /** Why the box's content was refused, shown at the field. */
  readonly fieldError: ReadonlySignal<string | null>;
  readonly status: ReadonlySignal<ActionStatus | null>;
  setDraft(text: string): void;
  /** Checks the box and blocks its ID. Resolves true when blocked; never rejects. */
  submit(): Promise<boolean>;
  dispose(): void;
}

/** How the node last saw `nodeId` ("user u…"), from its connections and the rendezvous; '' if never. */
export function labelOf(snapshot: NodeSnapshot | null, nodeId: string): string {
  if (!snapshot || !nodeId.startsWith('n')) return '';
  const userId = snapshot.peers.find((p) => p.nodeId === nodeId)?.userId ?? snapshot.discovered.find((d) => d.nodeId === nodeId)?.userId;
  return userId ? `user ${userId}` : '';
}

export function createBlockModel(
  node: Pick<DashboardNodeModel, 'identity' | 'snapshot'>,
  client: Pick<ViewClient, 'request'>,
  confirm: Pick<ConfirmModel, 'confirm'>,
): BlockModel {
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
      const check = checkBlockId(draft.peek(), node.identity.peek());
      if (!check.ok) {
        batch(() => {
          fieldError.value = check.message;
          status.value = null;
        });
        return false;
      }
      fieldError.value = null;
      const what = `${check.kind} ${shortId(check.id)}`;
      // A user ID reaches every browser of that person: ask first (issue 6).
      if (check.kind === 'user') {
        status.value = null;
        const ok = await confirm.confirm({
          title: `Block ${what}?`,
          message: `Every node of user ${check.id} is refused and disconnected, in every browser that shares your block list.`,
          destructive: true,
        });
        if (!ok || scope.signal.aborted) return false;
      }
      const label = labelOf(node.snapshot.peek(), check.id);
      const pending: ActionStatus = { kind: 'pending', text: `Blocking ${what}…` };
      status.value = pending;
      try {
        // The reply (the block list) is not needed here: the node's `controls.blocked` shows the result.
        await client.request(label ? { type: 'block:add', id: check.id, label } : { type: 'block:add', id: check.id }, { signal: scope.signal });
      } catch (error) {
        if (scope.signal.aborted || status.peek() !== pending) return false;
        const e = error as { name?: string; message?: string };
        batch(() => {
          // The background's own check of the ID (core/blocklist/block-list.ts) belongs at the field too.
          if (e?.name === 'BlockInputError') {
            status.value = null;
            fieldError.value = sentence(String(e.message ?? 'not a node or user ID'));
          } else status.value = { kind: 'error', text: describeError(`block ${what}`, error) };
        });
        return false;
      }
      if (scope.signal.aborted || status.peek() !== pending) return true;
      batch(() => {
        status.value = {
          kind: 'ok',
          text:
            check.kind === 'node'
              ? `Blocked ${what}: its connections close and it is not dialled again.`
              : `Blocked ${what}: every node of that user is refused.`,
        };
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
