/**
 * Pairing (issue 11): `Pair a browser` shows a one-time code for the other browser, which types it in
 * `Join with a code` and takes this browser's user key and block list over a direct connection
 * (core/pairing). Joining replaces the joining browser's user ID, so it asks first.
 */
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import { parsePairingCode, PairingCodeError } from '../../../core/pairing/pairing-code';
import type { PairingOfferView } from '../../../core/pairing/pairing-exchange';
import type { ReplyValues } from '../../../core/control/protocol';
import type { ViewClient } from '../../client/view-client';
import type { ConfirmModel } from '../../ui/confirm-model';
import { runAction, type ActionStatus } from '../../ui/action-status';
import { countOf, shortId } from '../../ui/format';
import type { DashboardNodeModel } from '../snapshot-parts';

export interface PairingModel {
  /** Whether this browser is paired (its block list shared through the relays); null until known. */
  readonly paired: ReadonlySignal<ReplyValues['pairing:state'] | null>;
  readonly unpairStatus: ReadonlySignal<ActionStatus | null>;
  /** The code on show, or null (none asked for, cancelled, or expired). */
  readonly offer: ReadonlySignal<PairingOfferView | null>;
  /** Whole seconds the code on show is still good for. */
  readonly secondsLeft: ReadonlySignal<number>;
  readonly offerStatus: ReadonlySignal<ActionStatus | null>;
  /** The `Pairing code` box. */
  readonly draft: ReadonlySignal<string>;
  /** Why the typed code was refused, shown at the field. */
  readonly draftError: ReadonlySignal<string | null>;
  readonly joinStatus: ReadonlySignal<ActionStatus | null>;
  createOffer(): Promise<void>;
  cancelOffer(): Promise<void>;
  setDraft(text: string): void;
  /** Validates, asks, then joins. Never rejects; resolves false when the code was refused at the field. */
  join(): Promise<boolean>;
  /** Stops sharing the block list through the relays. Never rejects. */
  unpair(): Promise<void>;
  dispose(): void;
}

interface PairingModelOptions {
  now?: () => number;
}

export function createPairingModel(
  node: Pick<DashboardNodeModel, 'identity' | 'controls'>,
  client: Pick<ViewClient, 'request'>,
  confirm: ConfirmModel,
  options: PairingModelOptions = {},
): PairingModel {
  const now = options.now ?? Date.now;
  const offer = signal<PairingOfferView | null>(null);
  const tick = signal(now());
  const offerStatus = signal<ActionStatus | null>(null);
  const draft = signal('');
  const draftError = signal<string | null>(null);
  const joinStatus = signal<ActionStatus | null>(null);
  const paired = signal<ReplyValues['pairing:state'] | null>(null);
  const unpairStatus = signal<ActionStatus | null>(null);
  const scope = new AbortController();
  const refreshPaired = (): Promise<void> =>
    client.request({ type: 'pairing:state' }, { signal: scope.signal }).then(
      (state) => {
        if (!scope.signal.aborted) paired.value = state;
      },
      () => undefined,
    );
  void refreshPaired();
  /** Ticks once a second while a code is on show, to count down and hide it when it expires. */
  let timer: ReturnType<typeof setInterval> | null = null;
  const stopTicking = () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  const secondsLeft = computed(() => Math.max(0, Math.ceil(((offer.value?.expiresAt ?? 0) - tick.value) / 1000)));

  return {
    paired,
    unpairStatus,
    offer,
    secondsLeft,
    offerStatus,
    draft,
    draftError,
    joinStatus,
    async createOffer() {
      const made = await runAction(
        offerStatus,
        { action: 'make a pairing code', pending: 'Making a pairing code', done: () => 'A new code is on show; any earlier one no longer works.', signal: scope.signal },
        () => client.request({ type: 'pairing:offer' }, { signal: scope.signal }),
      );
      if (!made) return;
      offer.value = made;
      tick.value = now();
      stopTicking();
      const pairedBefore = paired.peek()?.since ?? null;
      timer = setInterval(() => {
        tick.value = now();
        if (tick.value >= (offer.peek()?.expiresAt ?? 0)) {
          offer.value = null;
          offerStatus.value = { kind: 'ok', text: 'The code expired. Pair a browser again for a new one.' };
          stopTicking();
          return;
        }
        // The other browser may have joined: the code is spent then.
        void refreshPaired().then(() => {
          const since = paired.peek()?.since ?? null;
          if (since === null || since === pairedBefore || !offer.peek()) return;
          offer.value = null;
          offerStatus.value = { kind: 'ok', text: 'Paired: the other browser now has this user ID and the merged block list.' };
          stopTicking();
        });
      }, 1000);
    },
    async cancelOffer() {
      offer.value = null;
      stopTicking();
      await runAction(offerStatus, { action: 'cancel the code', pending: 'Cancelling the code', done: () => 'Code cancelled: it no longer works.', signal: scope.signal }, () =>
        client.request({ type: 'pairing:cancel' }, { signal: scope.signal }),
      );
    },
    setDraft(text) {
      draft.value = text;
      draftError.value = null;
    },
    async join() {
      try {
        parsePairingCode(draft.peek());
      } catch (error) {
        draftError.value = error instanceof PairingCodeError ? `${error.message}.` : String(error);
        return false;
      }
      draftError.value = null;
      const userId = node.identity.peek()?.userId;
      const entries = node.controls.peek()?.blocked.length ?? 0;
      const confirmed = await confirm.confirm({
        title: 'Join the other browser’s user?',
        message:
          `This browser’s user ID${userId ? ` (${shortId(userId)})` : ''} is replaced by the other browser’s, so that one user ID and one block list cover both. ` +
          `A block of the old user ID no longer matches this browser. This browser’s ${countOf(entries, 'block list entry', 'block list entries')} are kept and merged, never dropped.`,
      });
      if (!confirmed) return true;
      const done = await runAction(
        joinStatus,
        {
          action: 'join with the code',
          pending: 'Connecting to the browser that shows the code',
          done: (result) => `Joined: this browser is now user ${shortId(result.userId)}; ${countOf(result.merged, 'block list entry', 'block list entries')} came from the other browser.`,
          signal: scope.signal,
        },
        () => client.request({ type: 'pairing:join', code: draft.peek() }, { signal: scope.signal }),
      );
      if (done) draft.value = '';
      await refreshPaired();
      return true;
    },
    async unpair() {
      const state = await runAction(
        unpairStatus,
        { action: 'unpair', pending: 'Unpairing', done: () => 'Unpaired: this browser’s block list is no longer shared through the relays.', signal: scope.signal },
        () => client.request({ type: 'pairing:unpair' }, { signal: scope.signal }),
      );
      if (state) paired.value = state;
    },
    dispose() {
      scope.abort();
      stopTicking();
    },
  };
}
