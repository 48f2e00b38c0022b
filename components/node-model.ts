/**
 * The views' model of the node: observed state from the node host, desired state (settings) from the
 * background, and the actions a view may take. Signals built from an injected client (see
 * preactjs/signals devtools-ui ConnectionModel); components only read `.value` and call actions.
 *
 * Desired vs observed: a control changes the desired state at once (optimistically, so it works with
 * the node down) and the view shows where the node has not caught up yet ("Turning off…").
 */
import { batch, computed, effect, signal, type ReadonlySignal } from '@preact/signals';
import type { NodeSnapshot } from '../core/observed-state';
import type { Settings } from '../core/settings';
import type { ViewClient } from './view-client';

export type NodeClient = Pick<ViewClient, 'request' | 'onState' | 'onReachable'>;

/** Where the node is on its way to the desired on/off state; null when it is there (or unknown). */
export type Transition = 'turning-on' | 'turning-off' | null;

export interface NodeModel {
  /** The latest observed state; null until the node host first reports. Kept while reconnecting. */
  readonly snapshot: ReadonlySignal<NodeSnapshot | null>;
  /** The desired state, with an in-flight change already applied; null until loaded. */
  readonly settings: ReadonlySignal<Settings | null>;
  /** True while the observe port delivers snapshots. */
  readonly hostReachable: ReadonlySignal<boolean>;
  /** Why the node host could not be (re)started, in words; null when there is no such failure. */
  readonly hostError: ReadonlySignal<string | null>;
  /** The last failed action, in words a user can act on; null when there is none. */
  readonly lastError: ReadonlySignal<string | null>;
  /** Desired on/off: settings (optimistic), else the host's copy; null while neither is known. */
  readonly enabled: ReadonlySignal<boolean | null>;
  readonly transition: ReadonlySignal<Transition>;
  /** Wall-clock time, ticking every `tickMs`, for "12 s ago" texts. */
  readonly now: ReadonlySignal<number>;
  /**
   * Turns the whole node on or off. The switch flips at once; if the background refuses or does not
   * answer, it flips back and `lastError` says why. Never rejects.
   */
  setEnabled(on: boolean): Promise<void>;
  /** Shows a failed action that happened outside the model (e.g. opening the dashboard). */
  reportError(action: string, error: unknown): void;
  dismissError(): void;
  /** Unsubscribes from the client and stops the clock; the client itself belongs to the caller. */
  dispose(): void;
}

export interface NodeModelOptions {
  /** How often `now` ticks; 0 disables the timer. */
  tickMs?: number;
  clock?: () => number;
}

export function createNodeModel(client: NodeClient, options: NodeModelOptions = {}): NodeModel {
  const clock = options.clock ?? Date.now;
  const tickMs = options.tickMs ?? 1000;

  const snapshot = signal<NodeSnapshot | null>(null);
  /** The desired state as the background last confirmed it. */
  const confirmed = signal<Settings | null>(null);
  /** The on/off state asked for by a request still in flight. */
  const optimistic = signal<boolean | null>(null);
  const hostReachable = signal(false);
  const hostError = signal<string | null>(null);
  const lastError = signal<string | null>(null);
  const now = signal(clock());

  const settings = computed<Settings | null>(() => {
    const base = confirmed.value;
    const on = optimistic.value;
    return base && on !== null && on !== base.enabled ? { ...base, enabled: on } : base;
  });
  const enabled = computed(() => optimistic.value ?? confirmed.value?.enabled ?? snapshot.value?.enabled ?? null);
  const transition = computed(() => nodeTransition(enabled.value, snapshot.value));

  let disposed = false;
  /** Number of the latest setEnabled call; a reply to an older one must not undo a newer one. */
  let updateSeq = 0;
  let appliedSeq = 0;
  let updatesInFlight = 0;
  let loading = false;
  /** The message shown for a failed settings:get, cleared again once a retry succeeds. */
  let loadError: string | null = null;

  async function loadSettings(): Promise<void> {
    if (loading || disposed) return;
    loading = true;
    const seqAtStart = updateSeq;
    try {
      const value = await client.request({ type: 'settings:get' });
      // A settings:update sent meanwhile knows better than this (possibly older) answer.
      if (!disposed && updateSeq === seqAtStart && updatesInFlight === 0) confirmed.value = value;
      if (!disposed && loadError !== null && lastError.peek() === loadError) lastError.value = null;
      loadError = null;
    } catch (error) {
      if (disposed) return;
      loadError = describeError('load the settings', error);
      lastError.value = loadError;
    } finally {
      loading = false;
    }
  }

  async function setEnabled(on: boolean): Promise<void> {
    if (disposed) return;
    const seq = ++updateSeq;
    updatesInFlight++;
    batch(() => {
      optimistic.value = on;
      lastError.value = null;
    });
    try {
      const next = await client.request({ type: 'settings:update', patch: { enabled: on } });
      if (disposed || seq < appliedSeq) return;
      appliedSeq = seq;
      batch(() => {
        confirmed.value = next;
        if (seq === updateSeq) optimistic.value = null;
      });
    } catch (error) {
      // A newer call decides the switch; only the latest failure is rolled back and shown.
      if (disposed || seq !== updateSeq) return;
      batch(() => {
        optimistic.value = null;
        lastError.value = describeError(`turn the P2P network ${on ? 'on' : 'off'}`, error);
      });
    } finally {
      updatesInFlight--;
    }
  }

  let lastObservedEnabled: boolean | undefined;
  const disposers: (() => void)[] = [
    client.onState((next) => {
      snapshot.value = next;
    }),
    client.onReachable((reachable, error) => {
      batch(() => {
        hostReachable.value = reachable;
        hostError.value = error ? describeError('start the node', error) : null;
      });
    }),
    // Retry a failed first load once the extension answers again.
    effect(() => {
      if (hostReachable.value && confirmed.peek() === null) void loadSettings();
    }),
    // Another view (the dashboard, another window) may change the desired state; the popup hears of it
    // only through the host's copy, so re-read the settings when that copy changes to something else.
    effect(() => {
      const observed = snapshot.value?.enabled;
      if (observed === undefined || observed === lastObservedEnabled) return;
      const first = lastObservedEnabled === undefined;
      lastObservedEnabled = observed;
      const desired = confirmed.peek();
      if (!first && updatesInFlight === 0 && desired && desired.enabled !== observed) void loadSettings();
    }),
  ];
  if (tickMs > 0) {
    const timer = setInterval(() => {
      now.value = clock();
    }, tickMs);
    disposers.push(() => clearInterval(timer));
  }

  void loadSettings();

  return {
    snapshot,
    settings,
    hostReachable,
    hostError,
    lastError,
    enabled,
    transition,
    now,
    setEnabled,
    reportError(action, error) {
      lastError.value = describeError(action, error);
    },
    dismissError() {
      lastError.value = null;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const dispose of disposers.splice(0)) dispose();
    },
  };
}

/**
 * Compares desired on/off with what the node host reports. The host's `enabled` is its copy of the
 * desired state, so a mismatch means it has not been told yet; once told, "off" is reached only when
 * signaling has stopped and no connection is left open.
 */
export function nodeTransition(desired: boolean | null, snapshot: NodeSnapshot | null): Transition {
  if (desired === null || !snapshot) return null;
  if (desired !== snapshot.enabled) return desired ? 'turning-on' : 'turning-off';
  if (!desired && (snapshot.signaling.state !== 'stopped' || snapshot.peers.some((p) => p.state !== 'closed'))) {
    return 'turning-off';
  }
  return null;
}

/** Maps an error's `name` (one class per failure, see core/) to a sentence a user can act on. */
export function describeError(action: string, error: unknown): string {
  const e = error instanceof Error ? error : new Error(String(error));
  const detail = e.message.replace(/\.$/, '');
  switch (e.name) {
    case 'ProtocolError':
      return `Could not ${action}: the extension was updated. Close and reopen this page.`;
    case 'NoReplyError':
      return `Could not ${action}: the extension's background did not answer. Try again.`;
    case 'SettingsError':
      return `Could not ${action}: the setting was refused (${detail}).`;
    default:
      return `Could not ${action}: ${detail || e.name}.`;
  }
}
