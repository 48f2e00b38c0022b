/**
 * The views' model of the node: observed state from the node host, desired state (settings) from the
 * background, and the actions a view may take. Signals built from an injected client (see
 * preactjs/signals devtools-ui ConnectionModel); components only read `.value` and call actions.
 *
 * Desired vs observed: a control changes the desired state at once (optimistically, so it works with
 * the node down) and the view shows where the node has not caught up yet ("Turning off…").
 */
import { batch, computed, effect, signal, type ReadonlySignal } from '@preact/signals';
import type { NodeSnapshot } from '../../core/node/observed-state';
import type { Settings, SignalingStop } from '../../core/settings/settings';
import type { ViewClient } from './view-client';

export type NodeClient = Pick<ViewClient, 'request' | 'onState' | 'onReachable'>;

/** Where the node is on its way to the desired on/off state; null when it is there (or unknown). */
export type Transition = 'turning-on' | 'turning-off' | null;

/** The on/off settings a view shows as switches; each is applied optimistically. */
export type SwitchSetting = 'enabled' | 'routing' | 'pauseIncoming' | 'pauseOutgoing' | 'trustedOnly';
const SWITCH_SETTINGS: readonly SwitchSetting[] = ['enabled', 'routing', 'pauseIncoming', 'pauseOutgoing', 'trustedOnly'];
/** Settings a control changes optimistically: the switches and `Stop signaling`. */
type OptimisticSetting = SwitchSetting | 'signalingStop';
const OPTIMISTIC_SETTINGS: readonly OptimisticSetting[] = [...SWITCH_SETTINGS, 'signalingStop'];

export interface NodeModel {
  /** The latest observed state; null until the node host first reports. Kept while reconnecting. */
  readonly snapshot: ReadonlySignal<NodeSnapshot | null>;
  /** When the latest snapshot arrived (this view's clock); null before the first. */
  readonly snapshotReceivedAt: ReadonlySignal<number | null>;
  /** The desired state, with in-flight switch changes already applied; null until loaded. */
  readonly settings: ReadonlySignal<Settings | null>;
  /** True while the observe port delivers snapshots. */
  readonly hostReachable: ReadonlySignal<boolean>;
  /** Why the node host could not be (re)started, in words; null when there is no such failure. */
  readonly hostError: ReadonlySignal<string | null>;
  /** The last failed action, in words a user can act on; null when there is none. */
  readonly lastError: ReadonlySignal<string | null>;
  /** Desired on/off: settings (optimistic), else the host's copy; null while neither is known. */
  readonly enabled: ReadonlySignal<boolean | null>;
  /** Every switch's desired state, as `enabled` for the P2P switch. */
  readonly switches: Readonly<Record<SwitchSetting, ReadonlySignal<boolean | null>>>;
  /** Every switch's state as the node applies it (the snapshot); null before the first snapshot. */
  readonly observedSwitches: Readonly<Record<SwitchSetting, ReadonlySignal<boolean | null>>>;
  readonly transition: ReadonlySignal<Transition>;
  /**
   * The desired `Stop signaling` (settings.signalingStop, optimistic): null when signaling should
   * run; undefined while the settings have not loaded.
   */
  readonly signalingStop: ReadonlySignal<SignalingStop | null | undefined>;
  /** Wall-clock time, ticking every `tickMs`, for "12 s ago" texts. */
  readonly now: ReadonlySignal<number>;

  /**
   * Turns the whole node on or off. The switch flips at once; if the background refuses or does not
   * answer, it flips back and `lastError` says why. Never rejects.
   */
  setEnabled(on: boolean): Promise<void>;
  /** The same for any switch setting (mesh routing, pausing). Never rejects. */
  setSwitch(field: SwitchSetting, on: boolean): Promise<void>;
  /** `Stop signaling` (a stop) or `Resume signaling` (null), applied the same way. Never rejects. */
  setSignalingStop(stop: SignalingStop | null): Promise<void>;
  /**
   * Sends a settings patch (not optimistic: forms wait for it) and resolves with the saved settings.
   * Rejects with the background's error (a SettingsError carries `field`); `lastError` is left alone,
   * the caller shows the failure where it belongs.
   */
  updateSettings(patch: Partial<Settings>): Promise<Settings>;
  /** Shows a failed action that happened outside the model (e.g. opening the dashboard). */
  reportError(action: string, error: unknown): void;
  dismissError(): void;
  /** Unsubscribes from the client and stops the clock; the client itself belongs to the caller. */
  dispose(): void;
}

interface NodeModelOptions {
  /** How often `now` ticks; 0 disables the timer. */
  tickMs?: number;
  now?: () => number;
}

/** What a failed optimistic change was trying to do, for "Could not … : reason." */
const OPTIMISTIC_ACTIONS: { [F in OptimisticSetting]: (value: Settings[F]) => string } = {
  enabled: (on) => `turn the P2P network ${on ? 'on' : 'off'}`,
  routing: (on) => `turn mesh routing ${on ? 'on' : 'off'}`,
  pauseIncoming: (on) => `${on ? 'pause' : 'resume'} incoming connections`,
  pauseOutgoing: (on) => `${on ? 'pause' : 'resume'} outgoing connections`,
  trustedOnly: (on) => `turn Trusted peers only ${on ? 'on' : 'off'}`,
  signalingStop: (stop) => `${stop ? 'stop' : 'resume'} signaling`,
};

/** Whether a desired stop keeps signaling stopped at `now` (a timed one ends by itself). */
export function stopInForce(stop: SignalingStop | null | undefined, now: number): boolean {
  return !!stop && (stop.until === null || now < stop.until);
}

function observedSwitch(snapshot: NodeSnapshot | null, field: SwitchSetting): boolean | null {
  if (!snapshot) return null;
  if (field === 'enabled') return snapshot.enabled;
  return snapshot.controls?.[field] ?? null;
}

type Pending = Partial<Pick<Settings, OptimisticSetting>>;

export function createNodeModel(client: NodeClient, options: NodeModelOptions = {}): NodeModel {
  const readNow = options.now ?? Date.now;
  const tickMs = options.tickMs ?? 1000;

  const snapshot = signal<NodeSnapshot | null>(null);
  const snapshotReceivedAt = signal<number | null>(null);
  /** The desired state as the background last confirmed it. */
  const confirmed = signal<Settings | null>(null);
  /** Switch states asked for by requests still in flight. */
  const pending = signal<Pending>({});
  const hostReachable = signal(false);
  const hostError = signal<string | null>(null);
  const lastError = signal<string | null>(null);
  const now = signal(readNow());

  const settings = computed<Settings | null>(() => {
    const base = confirmed.value;
    const asked = pending.value;
    if (!base) return base;
    let result = base;
    for (const field of OPTIMISTIC_SETTINGS) {
      if (field in asked && asked[field] !== result[field]) result = { ...result, [field]: asked[field] };
    }
    return result;
  });
  const makeSwitch = (field: SwitchSetting) =>
    computed(() => pending.value[field] ?? confirmed.value?.[field] ?? observedSwitch(snapshot.value, field));
  const switches = {
    enabled: makeSwitch('enabled'),
    routing: makeSwitch('routing'),
    pauseIncoming: makeSwitch('pauseIncoming'),
    pauseOutgoing: makeSwitch('pauseOutgoing'),
    trustedOnly: makeSwitch('trustedOnly'),
  };
  const observedSwitches = {
    enabled: computed(() => observedSwitch(snapshot.value, 'enabled')),
    routing: computed(() => observedSwitch(snapshot.value, 'routing')),
    pauseIncoming: computed(() => observedSwitch(snapshot.value, 'pauseIncoming')),
    pauseOutgoing: computed(() => observedSwitch(snapshot.value, 'pauseOutgoing')),
    trustedOnly: computed(() => observedSwitch(snapshot.value, 'trustedOnly')),
  };
  const enabled = switches.enabled;
  const transition = computed(() => nodeTransition(enabled.value, snapshot.value));
  const signalingStop = computed(() => {
    const asked = pending.value;
    return 'signalingStop' in asked ? asked.signalingStop : confirmed.value?.signalingStop;
  });

  /** Aborted by dispose(): replies still on their way then write nothing. */
  const scope = new AbortController();
  /** Number of the latest settings request; a reply to an older one must not undo a newer one. */
  let updateSeq = 0;
  let appliedSeq = 0;
  /** The latest request's number per optimistic setting: only its failure rolls that setting back. */
  const latestSwitchSeq: Partial<Record<OptimisticSetting, number>> = {};
  let updatesInFlight = 0;
  let loading = false;
  /** The message shown for a failed settings:get, cleared again once a retry succeeds. */
  let loadError: string | null = null;

  async function loadSettings(): Promise<void> {
    if (loading || scope.signal.aborted) return;
    loading = true;
    const seqAtStart = updateSeq;
    try {
      const value = await client.request({ type: 'settings:get' }, { signal: scope.signal });
      if (scope.signal.aborted) return;
      // A settings:update sent meanwhile knows better than this (possibly older) answer.
      if (updateSeq === seqAtStart && updatesInFlight === 0) confirmed.value = value;
      if (loadError !== null && lastError.peek() === loadError) lastError.value = null;
      loadError = null;
    } catch (error) {
      if (scope.signal.aborted) return;
      loadError = describeError('load the settings', error);
      lastError.value = loadError;
    } finally {
      loading = false;
    }
  }

  /** Sends a patch; applies the reply unless a newer one was applied already. */
  async function sendPatch(patch: Partial<Settings>, seq: number): Promise<Settings> {
    updatesInFlight++;
    try {
      const next = await client.request({ type: 'settings:update', patch }, { signal: scope.signal });
      if (!scope.signal.aborted) {
        if (seq > appliedSeq) {
          appliedSeq = seq;
          confirmed.value = next;
        } else if (confirmed.peek()) {
          // A newer reply was applied first (replies out of order); it may predate this change, so
          // keep what this reply says about the fields this request changed.
          const fields = Object.keys(patch) as (keyof Settings)[];
          const merged = { ...confirmed.peek()! } as Record<string, unknown>;
          for (const field of fields) {
            if (field in OPTIMISTIC_ACTIONS && latestSwitchSeq[field as OptimisticSetting] !== seq) continue;
            merged[field] = next[field];
          }
          confirmed.value = merged as unknown as Settings;
        }
      }
      return next;
    } finally {
      updatesInFlight--;
    }
  }

  async function setOptimistic<F extends OptimisticSetting>(field: F, value: Settings[F]): Promise<void> {
    if (scope.signal.aborted) return;
    const seq = ++updateSeq;
    latestSwitchSeq[field] = seq;
    batch(() => {
      pending.value = { ...pending.peek(), [field]: value };
      lastError.value = null;
    });
    try {
      await sendPatch({ [field]: value }, seq);
      if (scope.signal.aborted) return;
      if (latestSwitchSeq[field] === seq) pending.value = withoutField(pending.peek(), field);
    } catch (error) {
      // A newer call decides the switch; only the latest failure is rolled back and shown.
      if (scope.signal.aborted || latestSwitchSeq[field] !== seq) return;
      batch(() => {
        pending.value = withoutField(pending.peek(), field);
        lastError.value = describeError(OPTIMISTIC_ACTIONS[field](value), error);
      });
    }
  }

  let lastObserved: string | undefined;
  const disposers: (() => void)[] = [
    client.onState((next) => {
      batch(() => {
        snapshot.value = next;
        snapshotReceivedAt.value = readNow();
      });
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
    // Another view (the dashboard, another window) may change the desired state; this view hears of
    // it only through the host's copy, so re-read the settings when that copy changes to something
    // other than what this view believes.
    effect(() => {
      const s = snapshot.value;
      if (!s) return;
      const observed = SWITCH_SETTINGS.map((field) => observedSwitch(s, field));
      const stopped = s.signaling?.stoppedByUser;
      const key = JSON.stringify([observed, s.signaling?.url, stopped]);
      if (key === lastObserved) return;
      const first = lastObserved === undefined;
      lastObserved = key;
      const desired = confirmed.peek();
      if (first || updatesInFlight > 0 || !desired) return;
      const differs = SWITCH_SETTINGS.some((field, i) => observed[i] !== null && observed[i] !== desired[field]);
      const stopDiffers = stopped !== undefined && stopped !== stopInForce(desired.signalingStop, readNow());
      if (differs || stopDiffers || (s.signaling?.url && s.signaling.url !== desired.signalingUrl)) void loadSettings();
    }),
  ];
  if (tickMs > 0) {
    const timer = setInterval(() => {
      now.value = readNow();
    }, tickMs);
    disposers.push(() => clearInterval(timer));
  }

  void loadSettings();

  return {
    snapshot,
    snapshotReceivedAt,
    settings,
    hostReachable,
    hostError,
    lastError,
    enabled,
    switches,
    observedSwitches,
    transition,
    signalingStop,
    now,
    setEnabled: (on) => setOptimistic('enabled', on),
    setSwitch: setOptimistic,
    setSignalingStop: (stop) => setOptimistic('signalingStop', stop),
    async updateSettings(patch) {
      scope.signal.throwIfAborted();
      return sendPatch(patch, ++updateSeq);
    },
    reportError(action, error) {
      lastError.value = describeError(action, error);
    },
    dismissError() {
      lastError.value = null;
    },
    dispose() {
      scope.abort();
      for (const dispose of disposers.splice(0)) dispose();
    },
  };
}

function withoutField(pending: Pending, field: OptimisticSetting): Pending {
  if (!(field in pending)) return pending;
  const { [field]: _, ...rest } = pending;
  return rest;
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
