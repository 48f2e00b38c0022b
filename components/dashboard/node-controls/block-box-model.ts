/**
 * The block box of the Node controls panel (issue 4; the full block list is issue 5): a node or user
 * ID, checked at the field before anything is sent, then `block:add` (id-box-model.ts).
 */
import type { ConfirmModel } from '../../ui/confirm-model';
import type { NodeSnapshot } from '../../../core/node/observed-state';
import type { DashboardNodeModel } from '../snapshot-parts';
import type { ViewClient } from '../../client/view-client';
import { createIdBoxModel, type IdBoxModel } from './id-box-model';

export type BlockModel = IdBoxModel;

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
  return createIdBoxModel(node, {
    list: 'block',
    // A user ID reaches every browser of that person: ask first (issue 6).
    ask: ({ id, kind, what }) =>
      kind === 'user'
        ? confirm.confirm({
            title: `Block ${what}?`,
            message: `Every node of user ${id} is refused and disconnected, in every browser that shares your block list.`,
            destructive: true,
          })
        : null,
    // The reply (the block list) is not needed here: the node's `controls.blocked` shows the result.
    send: ({ id }, signal) => {
      const label = labelOf(node.snapshot.peek(), id);
      return client.request(label ? { type: 'block:add', id, label } : { type: 'block:add', id }, { signal });
    },
    action: ({ what }) => `block ${what}`,
    pending: ({ what }) => `Blocking ${what}…`,
    done: ({ kind, what }) =>
      kind === 'node' ? `Blocked ${what}: its connections close and it is not dialled again.` : `Blocked ${what}: every node of that user is refused.`,
  });
}
