/**
 * Runs a MeshNode on behalf of the background: in Chrome's offscreen document, in Firefox's background
 * page, or in Node for a headless node. It asks for its configuration on boot, applies every new one,
 * answers node actions, keeps the networking history, and streams observed state, history and the
 * event log to each observer (a view's port).
 */
import { TimerGroup, type Clock } from '../lib/clock';
import type { Unsubscribe } from '../lib/events';
import { EventLog } from '../lib/event-log';
import { Identity, type StoredIdentity } from '../identity/identity';
import type { NodeKeyStore } from '../identity/node-key-store';
import { MeshNode } from '../node/node';
import { NodeOfflineError } from '../node/node-errors';
import type { StatsPoint, Totals } from '../node/observed-state';
import { HOST_HEARTBEAT_MS, SUMMARY_OMITS, type ObserveScope, type DiagnosticsReport, type HostCommand, type HostConfig, type NodeAction, type PairingCommand, type ReplyValues, type StateMessage } from '../control/protocol';
import { TRIAL_MS } from '../control/endpoint-trial';
import type { IceServer } from '../settings/settings';
import { SerialQueue } from '../lib/serial-queue';
import { StatsHistory } from './stats-history';
import type { TorrentEngineLoader } from '../files/torrent-engine';
import type { BlobStore } from '../files/blob-store';
import { doFileAction } from './file-actions';
import type { FallbackSignalingFactory, MeetingSignalingFactory, SignalingFactory } from '../signaling/signaling';
import type { RendezvousFactory } from '../discovery/rendezvous';
import { errorText } from '../lib/error-text';
import type { IceServerChecker } from '../node/ice-checks';
import { badgeOf, sameBadge, type ToolbarBadge } from '../control/toolbar-badge';
import { nodeHealth } from '../node/node-health';
import { isPairingCommand } from '../control/protocol-guard';
import { PairingRelay } from '../pairing/pairing-relay';
import { PairFrameGate } from '../pairing/pair-frame-gate';
import type { PeerSession } from '../session/peer-session';
import type { Pair } from '../session/wire';

const HISTORY_TICK_MS = 1000;

/** What the host tells the background with each beat. */
export interface HostHealth {
  /** The last configuration step that failed, in words; null once one succeeded. */
  failure: string | null;
}

export interface Observer {
  /** What the view asked to observe; a summary observer gets no history and no log. */
  scope: ObserveScope;
  post(message: StateMessage): void;
  onClose(listener: () => void): void;
}

/** How the host reaches the background and the views; each platform implements it. */
export interface HostChannel {
  requestConfig(): Promise<HostConfig>;
  /** A command from the background; an action's result (or thrown error) becomes its reply. */
  onCommand(listener: (command: HostCommand) => Promise<unknown>): Unsubscribe;
  onObserver(listener: (observer: Observer) => void): Unsubscribe;
  /** Hands a completed minute of history to the background, which keeps the last 24 hours. */
  appendHistory(point: StatsPoint): Promise<void>;
  /** Reports whether the endpoints on trial `trialId` connected before the deadline. */
  reportTrial(trialId: string, ok: boolean): Promise<void>;
  /**
   * Tells the background this host is alive (every HOST_HEARTBEAT_MS, and at once when a configuration
   * fails): the background re-creates a host that stops beating or keeps failing.
   */
  beat(health: HostHealth): Promise<void>;
  /** A peer sent a pairing `join`: the background (which holds the secret) says what to send back. */
  answerPairing(heard: { nodeId: string; binding: string; message: Pair }): Promise<Pair>;
  /**
   * A value of the shared channel arrived: the background (which holds the user key) opens and merges
   * it, and says whether it was genuine (false: forged, stale or dated ahead).
   */
  sharedListHeard(value: unknown): Promise<boolean>;
  /** The toolbar badge changed (sent only on a change). */
  showBadge(badge: ToolbarBadge): Promise<void>;
}

export interface NodeHostDeps {
  channel: HostChannel;
  clock: Clock;
  createSignaling: SignalingFactory;
  createFallbackSignaling?: FallbackSignalingFactory;
  createMeetingSignaling?: MeetingSignalingFactory;
  loadTorrentEngine?: TorrentEngineLoader;
  /** Where files cross between the views and the host (IndexedDB in the extension). */
  blobs?: BlobStore;
  createRendezvous: RendezvousFactory;
  checkIceServer?: IceServerChecker;
  /** Where the node key lives: the host signs with it and never sees it in a message. */
  keys: NodeKeyStore;
  app: string;
  /** The node's random choices (NodeComponents.random): `Math.random` where the host is composed. */
  random(): number;
}

export class NodeHost {
  node: MeshNode | null = null;
  private config: HostConfig | null = null;
  /** The trial being watched (by its deadline) and its timer; null when none. */
  private trialWatch: { id: string; timer: unknown; reported: boolean } | null = null;
  private history: StatsHistory | null = null;
  /** The current node's totals as last published. */
  private lastTotals: Totals | null = null;
  private readonly observers = new Set<Observer>();
  private readonly timers: TimerGroup;
  /** One log for the host's life: a node restarted under a new identity keeps numbering on. */
  private readonly log: EventLog;
  private unsubscribers: Unsubscribe[] = [];
  /**
   * Configurations apply one at a time, in arrival order (identity import is async). A step that fails
   * is logged and reported; the next one still runs.
   */
  private readonly applying: SerialQueue;
  private failure: string | null = null;
  /** The shared channel and list last handed to the node, to hand them over only when they change. */
  private sharedKey: string | null = null;
  /** The badge last handed to the background: an unchanged one is not sent again. */
  private badge: ToolbarBadge | null = null;
  /** Which of the peers' pairing frames reach the background (issue 23, item 2). */
  private readonly pairFrames: PairFrameGate;
  /** Settles once the hand-off store is swept of an earlier host's entries (see start()). */
  private handOffSwept: Promise<void> = Promise.resolve();

  constructor(private readonly deps: NodeHostDeps) {
    this.timers = new TimerGroup(deps.clock);
    this.log = new EventLog(deps.clock);
    this.pairFrames = new PairFrameGate(() => deps.clock.monotonic());
    this.log.events.on('log:entry', (entry) => this.broadcast({ type: 'log', entries: [entry] }));
    this.applying = new SerialQueue((error) => {
      this.failure = errorText(error);
      this.log.add('error', 'host:configure', `configuration not applied: ${this.failure}`);
      this.sendBeat();
    });
  }

  async start(): Promise<void> {
    const { channel, blobs } = this.deps;
    // A host that crashed, or a page closed mid-request, leaves hand-off entries nobody will take: the
    // store is emptied before the host acts on a command (issue 23, item 9). A page that put a file
    // while this host was starting is told to choose it again.
    if (blobs) this.handOffSwept = blobs.clear().catch((error: unknown) => this.log.add('warn', 'files', `left-over hand-off files were not removed: ${errorText(error)}`));
    this.unsubscribers.push(
      channel.onCommand((command) => this.onCommand(command)),
      channel.onObserver((observer) => this.observe(observer)),
    );
    this.timers.interval(() => this.sendBeat(), HOST_HEARTBEAT_MS);
    await this.apply(await channel.requestConfig()).catch(() => undefined);
    this.timers.interval(() => this.tickHistory(), HISTORY_TICK_MS);
    await this.handOffSwept;
  }

  /** The last configuration step that failed, in words; null once one succeeded. */
  get health(): HostHealth {
    return { failure: this.failure };
  }

  private async onCommand(command: HostCommand): Promise<unknown> {
    if (command.type === 'host:configure') {
      await this.apply(command.config);
      return null;
    }
    if (command.type === 'host:log') {
      for (const { level, type, message } of command.entries) this.log.add(level, type, message);
      return null;
    }
    await this.applying.settled();
    await this.handOffSwept;
    if (command.type !== 'files:share') return this.act(command);
    // Once the request is here, the entry is the host's: it goes whether the file was shared or not
    // (node offline, no file sharing, engine failed), or it would stay for good (issue 23, item 9).
    try {
      return await this.act(command);
    } finally {
      await this.deps.blobs?.delete(command.blobKey).catch((error: unknown) => this.log.add('warn', 'files', `a handed-off file was not removed (the next start sweeps it): ${errorText(error)}`));
    }
  }

  private async act<A extends NodeAction | PairingCommand>(action: A): Promise<ReplyValues[A['type']]> {
    type Out = ReplyValues[A['type']];
    const node = this.node;
    if (!node) throw new NodeOfflineError();
    if (isPairingCommand(action)) {
      const relay = new PairingRelay(node, this.deps.clock);
      return (action.type === 'pair:connect' ? await relay.connect(action.nodePrefix) : await relay.exchange(action.nodeId, action.message)) as Out;
    }
    switch (action.type) {
      case 'node:refresh':
        return (await node.refreshPeers()) as Out;
      case 'node:disconnect':
        node.disconnect(action.nodeId, 'user-disconnect');
        return null as Out;
      case 'node:ping':
        return (await node.meshPing(action.nodeId)) as Out;
      case 'node:dial':
        node.dial(action.nodeId, { userAsked: true });
        return null as Out;
      case 'node:retry-signaling':
        node.retrySignaling();
        return null as Out;
      case 'diagnostics:export':
        return this.diagnostics() as Out;
      case 'files:share':
      case 'files:stop':
      case 'files:download':
      case 'files:cancel':
      case 'files:save':
        return (await doFileAction(node.files, this.deps.blobs, action)) as Out;
    }
    throw new Error(`unhandled action ${(action as NodeAction).type}`);
  }

  /**
   * A peer's pairing frame: a join the gate lets through goes to the background; other steps are the
   * joining side's (PairingRelay hears them). The first frame a session has dropped is logged.
   */
  private onPair(session: PeerSession, message: Pair): void {
    const verdict = this.pairFrames.admit(session, message);
    if (verdict === 'carry') return this.answerJoin(session, message);
    if (verdict !== 'pass' && this.pairFrames.dropped(session) === 1) {
      this.log.add('warn', 'pairing', `pairing frames from this peer are dropped (first: ${verdict})`, session.remoteId);
    }
  }

  /** Carries a peer's pairing `join` to the background and its answer back; the host reads neither. */
  private answerJoin(session: PeerSession, message: Pair): void {
    const binding = session.channelBinding();
    if (!binding) return this.pairFrames.answered(session);
    this.deps.channel
      .answerPairing({ nodeId: session.remoteId, binding, message })
      .then((reply) => session.isReady && session.send(reply))
      .catch((error: unknown) => this.log.add('warn', 'pairing', `a pairing request was not answered: ${errorText(error)}`, session.remoteId))
      .finally(() => this.pairFrames.answered(session));
  }

  /** Applies `config` after every earlier one; resolves when it is applied, rejects if it failed. */
  private apply(config: HostConfig): Promise<void> {
    return this.applying.run(async () => {
      // Messages may overtake each other: a configuration older than the one applied is stale.
      if (this.config && config.revision < this.config.revision) {
        this.log.add('debug', 'host:configure', `configuration ${config.revision} ignored: ${this.config.revision} is newer`);
        return;
      }
      if (!this.node || !this.config || identityChanged(this.config.identity, config.identity)) await this.replaceNode(config.identity);
      this.history ??= new StatsHistory(config.daily);
      const problemsChanged = config.problems.join('\n') !== (this.config?.problems ?? []).join('\n');
      this.config = config;
      if (problemsChanged) this.broadcast({ type: 'problems', problems: config.problems });
      // The trust list first: turning `Trusted peers only` on closes whom it does not trust.
      this.node!.setTrusted(config.trustList.entries.map((entry) => entry.id));
      this.node!.configure(config.settings);
      this.node!.setBlocked(config.blockList.entries.map((entry) => entry.id));
      this.applyShared(config.shared);
      this.broadcast({ type: 'blocklist', state: config.blockList });
      this.watchTrial(config.trial);
      this.failure = null;
    });
  }

  /** Hands the node the shared channel and this browser's sealed list, when either changed. */
  private applyShared(shared: HostConfig['shared']): void {
    const key = shared ? `${shared.channel} ${shared.value.sig}` : null;
    if (key === this.sharedKey) return;
    this.sharedKey = key;
    this.node!.setShared(shared ? { channel: shared.channel, value: { ...shared.value } } : null);
  }

  private sendBeat(): void {
    this.deps.channel.beat(this.health).catch((error: unknown) => console.warn('meshdeck: the background did not hear the host', error));
  }

  private async replaceNode(stored: StoredIdentity): Promise<void> {
    // Imported before the old node stops: a key that does not import leaves the running node as it is.
    const identity = await Identity.fromStored(stored, this.deps.keys);
    this.node?.stop();
    this.lastTotals = null;
    const node = new MeshNode({ ...this.deps, identity, log: this.log });
    this.sharedKey = null;
    node.events.on('shared:heard', ({ value, verdict }) => {
      // A background that answers no verdict (an older one) is taken at its word that it merged the list.
      this.deps.channel.sharedListHeard(value).then((news) => verdict(news !== false), (error: unknown) => {
        verdict(false);
        this.log.add('warn', 'pairing', `a shared block list was not merged: ${errorText(error)}`);
      });
    });
    node.events.on('peer:pair', ({ session, message }) => this.onPair(session, message));
    node.events.on('state:change', (snapshot) => {
      this.lastTotals = snapshot.totals;
      this.broadcast({ type: 'state', snapshot });
      this.showBadge(badgeOf(nodeHealth(snapshot)));
      const connected = snapshot.signaling.state === 'open' && snapshot.rendezvous.relays.some((relay) => relay.state === 'open');
      if (connected) this.endTrial(true);
    });
    this.node = node;
  }

  private showBadge(badge: ToolbarBadge): void {
    if (sameBadge(this.badge, badge)) return;
    this.badge = badge;
    this.deps.channel.showBadge(badge).catch((error: unknown) => {
      // Sent again with the next change, or the next snapshot if nothing changes.
      this.badge = null;
      console.warn('meshdeck: the toolbar badge was not updated', error);
    });
  }

  /** Watches an endpoint trial: the first time the node is connected ends it well; the deadline, badly. */
  private watchTrial(trial: HostConfig['trial']): void {
    if (this.trialWatch && this.trialWatch.id === trial?.id) return;
    if (this.trialWatch) this.timers.cancel(this.trialWatch.timer);
    this.trialWatch = null;
    this.broadcast({ type: 'trial', trial });
    if (!trial) return;
    const timer = this.timers.timeout(() => this.endTrial(false), Math.max(0, trial.deadline - this.deps.clock.now()));
    this.trialWatch = { id: trial.id, timer, reported: false };
  }

  private endTrial(ok: boolean): void {
    const watch = this.trialWatch;
    if (!watch || watch.reported) return;
    watch.reported = true;
    this.timers.cancel(watch.timer);
    this.log.add(ok ? 'info' : 'warn', 'control:endpoint', ok ? 'new endpoints connected: kept' : `new endpoints did not connect within ${TRIAL_MS / 1000} s: rolling back`);
    this.deps.channel.reportTrial(watch.id, ok).catch((error: unknown) => this.log.add('warn', 'control:endpoint', `trial result not delivered: ${errorText(error)}`));
  }

  private tickHistory(): void {
    if (!this.node || !this.history) return;
    // The totals last published (at most a second old): building a snapshot for them costs as much again.
    const { second, minute } = this.history.record(this.deps.clock.now(), this.lastTotals ?? this.node.snapshot().totals);
    this.broadcast({ type: 'history:tick', second, minute });
    if (minute) this.deps.channel.appendHistory(minute).catch((error: unknown) => this.log.add('warn', 'host:history', `a minute of history was not kept: ${errorText(error)}`));
  }

  private broadcast(message: StateMessage): void {
    for (const observer of this.observers) post(observer, message);
  }

  private observe(observer: Observer): void {
    this.observers.add(observer);
    observer.onClose(() => this.observers.delete(observer));
    if (this.node) {
      post(observer, { type: 'state', snapshot: this.node.snapshot() });
      post(observer, { type: 'log', entries: this.node.log.all() });
    }
    if (this.history) post(observer, { type: 'history', recent: this.history.recentPoints(), daily: this.history.dailyPoints() });
    if (this.config) {
      post(observer, { type: 'blocklist', state: this.config.blockList });
      post(observer, { type: 'trial', trial: this.config.trial });
      post(observer, { type: 'problems', problems: this.config.problems });
    }
  }

  /**
   * Everything a bug report needs, and nothing secret: identity appears as public keys and IDs only
   * (the host holds no user key and its node key cannot be exported), and ICE server credentials are
   * replaced by a mark.
   */
  diagnostics(): DiagnosticsReport {
    const node = this.node;
    const config = this.config;
    if (!node || !config) throw new NodeOfflineError();
    return {
      app: this.deps.app,
      exportedAt: this.deps.clock.now(),
      settings: { ...config.settings, iceServers: config.settings.iceServers.map(withoutCredentials) },
      blockList: config.blockList.entries,
      snapshot: node.snapshot(),
      history: { recent: this.history?.recentPoints() ?? [], daily: this.history?.dailyPoints() ?? [] },
      log: node.log.all(),
      problems: config.problems,
    };
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
    this.timers.clear();
    this.observers.clear();
    this.node?.stop();
    this.node = null;
  }
}

function post(observer: Observer, message: StateMessage): void {
  if (observer.scope === 'summary' && SUMMARY_OMITS.has(message.type)) return;
  observer.post(message);
}

const HIDDEN = '(hidden)';

const withoutCredentials = (server: IceServer): IceServer => ({
  urls: server.urls,
  ...(server.username !== undefined ? { username: HIDDEN } : {}),
  ...(server.credential !== undefined ? { credential: HIDDEN } : {}),
});


/** A new node key, or a new certificate (the user key changed): the node restarts under it. */
const identityChanged = (a: StoredIdentity, b: StoredIdentity): boolean =>
  a.node.pub !== b.node.pub || a.user.pub !== b.user.pub || a.cert.sig !== b.cert.sig;
