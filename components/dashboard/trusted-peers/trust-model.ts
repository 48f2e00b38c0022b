/**
 * The `Trusted peers` region's model (issue 13, trusted-only mode): the trust list, the
 * `Trusted node or user ID` box with its `Trust` button, `Untrust` with `Undo`, and the
 * `Trusted peers only` switch, which asks first when turning on with an empty trust list (every
 * connection but the user's own browsers closes then).
 *
 * The list comes from the node's snapshot (`controls.trusted`, live: also edits from other tabs and
 * browsers), from `trust:list` until the first snapshot has it, and from the replies of this
 * panel's own edits, which are newer than the snapshot until the node applied them.
 */
import { effect, signal, type ReadonlySignal } from '@preact/signals';
import type { IdListState } from '../../../core/blocklist/block-list-store';
import type { BlockEntry } from '../../../core/blocklist/block-list';
import type { ActionStatus } from '../../ui/action-status';
import type { ConfirmModel } from '../../ui/confirm-model';
import { describeError } from '../../client/node-model';
import { shortId } from '../../ui/format';
import { stableComputed } from '../../ui/stable';
import type { UndoSlot } from '../../ui/undo-model';
import type { ViewClient } from '../../client/view-client';
import type { DashboardNodeModel } from '../snapshot-parts';
import type { ControlsModel } from '../node-controls/controls-model';
import { createIdBoxModel, type IdBoxModel } from '../node-controls/id-box-model';
import { removeWithUndo } from '../../ui/removal';

export interface TrustRow {
  id: string;
  kind: 'node' | 'user';
  /** A ready connection has this node ID, or this user ID. */
  connected: boolean;
}

export interface TrustModel {
  /** The `Trusted node or user ID` box and its `Trust` button. */
  readonly box: IdBoxModel;
  /** The trusted IDs as shown (an untrust on its way already gone); null until the list is known. */
  readonly rows: ReadonlySignal<readonly TrustRow[] | null>;
  /** Outcomes of `Untrust` that failed. */
  readonly status: ReadonlySignal<ActionStatus | null>;
  /** The panel's `Undo`: of the switch and of an untrust. */
  readonly undo: UndoSlot;
  /**
   * Sets `Trusted peers only`; turning it on with an empty trust list asks first (it disconnects
   * every peer but the user's own browsers). Never rejects.
   */
  setTrustedOnly(on: boolean): Promise<void>;
  /** Untrusts at once and offers Undo (trust:add of the removed entry). Never rejects. */
  untrust(id: string): Promise<void>;
  dispose(): void;
}

/** The question asked before turning the mode on with nobody trusted. */
export const EMPTY_TRUST_WARNING = {
  title: 'Turn on Trusted peers only with nobody trusted?',
  message:
    'The trust list is empty: every connection closes and every peer is refused, except your own browsers (same user ID), until you trust a node or user ID.',
  destructive: true,
} as const;

const kindOf = (id: string): TrustRow['kind'] => (id.startsWith('u') ? 'user' : 'node');
const what = (id: string) => `${kindOf(id)} ${shortId(id)}`;

export function createTrustModel(
  node: Pick<DashboardNodeModel, 'identity' | 'snapshot' | 'controls'>,
  client: Pick<ViewClient, 'request'>,
  confirm: Pick<ConfirmModel, 'confirm'>,
  controls: Pick<ControlsModel, 'toggle' | 'trustUndo'>,
): TrustModel {
  /** The trusted IDs as last reported: by the snapshot, or by a reply of the background. */
  const reported = signal<readonly string[] | null>(null);
  /** IDs untrusted by requests still on their way. */
  const removing = signal<ReadonlySet<string>>(new Set());
  const status = signal<ActionStatus | null>(null);
  const undo = controls.trustUndo;
  /** Aborted by dispose(): replies still on their way then write nothing. */
  const scope = new AbortController();

  const accept = (state: IdListState) => {
    if (!scope.signal.aborted) reported.value = state.entries.map((e) => e.id);
  };

  // A list in the snapshot that differs from the previous snapshot's is news (another tab, another
  // browser, or the node applying this panel's edit). One that does not is not: it may be older than
  // a reply this panel just accepted.
  let lastSeen: string | undefined;
  const stopFollowing = effect(() => {
    const trusted = node.controls.value?.trusted;
    if (!trusted) return;
    const key = trusted.join();
    if (key === lastSeen) return;
    lastSeen = key;
    reported.value = trusted;
  });
  // Until a snapshot brings it (the host is starting, or cannot be reached), the background knows it.
  client.request({ type: 'trust:list' }, { signal: scope.signal }).then(
    (state) => {
      if (reported.peek() === null) accept(state);
    },
    () => undefined,
  );

  const rows = stableComputed<readonly TrustRow[] | null>(() => {
    const ids = reported.value;
    if (!ids) return null;
    const gone = removing.value;
    const ready = (node.snapshot.value?.peers ?? []).filter((p) => p.state === 'ready');
    return ids
      .filter((id) => !gone.has(id))
      .map((id) => ({ id, kind: kindOf(id), connected: ready.some((p) => p.nodeId === id || p.userId === id) }));
  });

  const trust = async (id: string, options: { note?: string; label?: string }, signal: AbortSignal) => {
    accept(await client.request({ type: 'trust:add', id, ...options }, { signal }));
  };

  const box = createIdBoxModel(node, {
    list: 'trust',
    // No label: the trust list has a small share of storage.sync (TRUST_LIST_SYNC_BYTES), kept for IDs.
    send: ({ id }, signal) => trust(id, {}, signal),
    action: ({ what: w }) => `trust ${w}`,
    pending: ({ what: w }) => `Trusting ${w}…`,
    done: ({ kind, what: w }) =>
      kind === 'node' ? `Trusted ${w}: it may connect while Trusted peers only is on.` : `Trusted ${w}: every node of that user may connect while Trusted peers only is on.`,
  });

  async function trustAgain(entry: Pick<BlockEntry, 'id' | 'note' | 'label'>): Promise<void> {
    try {
      await trust(entry.id, { note: entry.note, label: entry.label }, scope.signal);
    } catch (error) {
      if (!scope.signal.aborted) status.value = { kind: 'error', text: describeError(`trust ${what(entry.id)} again`, error) };
    }
  }

  return {
    box,
    rows,
    status,
    undo,
    async setTrustedOnly(on) {
      if (on && (rows.peek()?.length ?? 0) === 0) {
        const ok = await confirm.confirm(EMPTY_TRUST_WARNING);
        if (!ok || scope.signal.aborted) return;
      }
      controls.toggle('trustedOnly', on);
    },
    untrust(id) {
      return removeWithUndo({ removing, status, undo, signal: scope.signal }, id, {
        async send() {
          const { state, removed } = await client.request({ type: 'trust:remove', id }, { signal: scope.signal });
          return { removed, accept: () => accept(state) };
        },
        doneText: `Untrusted ${what(id)}.`,
        goneText: `${what(id)} was not trusted any more.`,
        putBack: trustAgain,
        action: `untrust ${what(id)}`,
      });
    },
    dispose() {
      scope.abort();
      stopFollowing();
      box.dispose();
    },
  };
}
