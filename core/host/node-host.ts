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
import { MeshNode, NodeOfflineError } from '../node/node';
import type { StatsPoint } from '../node/observed-state';
import type { DiagnosticsReport, HostCommand, HostConfig, NodeAction, ReplyValues, StateMessage } from '../control/protocol';
import { StatsHistory } from './stats-history';
import type { RendezvousFactory, SignalingFactory } from '../node/transport';

const HISTORY_TICK_MS = 1000;

export interface Observer {
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
  /** Reports whether the endpoints on trial connected before the deadline. */
  reportTrial(ok: boolean): Promise<void>;
}

export interface NodeHostDeps {
  channel: HostChannel;
  clock: Clock;
  createSignaling: SignalingFactory;
  createRendezvous: RendezvousFactory;
  app: string;
}

export class NodeHost {
  node: MeshNode | null = null;
  private config: HostConfig | null = null;
  /** The trial being watched (by its deadline) and its timer; null when none. */
  private trialWatch: { deadline: number; timer: unknown; reported: boolean } | null = null;
  private history: StatsHistory | null = null;
  private readonly observers = new Set<Observer>();
  private readonly timers: TimerGroup;
  /** One log for the host's life: a node restarted under a new identity keeps numbering on. */
  private readonly log: EventLog;
  private unsubscribers: Unsubscribe[] = [];
  /** Configurations apply one at a time, in arrival order (identity import is async). */
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly deps: NodeHostDeps) {
    this.timers = new TimerGroup(deps.clock);
    this.log = new EventLog(deps.clock);
    this.log.events.on('log:entry', (entry) => this.broadcast({ type: 'log', entries: [entry] }));
  }

  async start(): Promise<void> {
    const { channel } = this.deps;
    this.unsubscribers.push(
      channel.onCommand((command) => this.onCommand(command)),
      channel.onObserver((observer) => this.observe(observer)),
    );
    this.apply(await channel.requestConfig());
    await this.applying;
    this.timers.interval(() => this.tickHistory(), HISTORY_TICK_MS);
  }

  private async onCommand(command: HostCommand): Promise<unknown> {
    if (command.type === 'host:configure') {
      this.apply(command.config);
      await this.applying;
      return null;
    }
    await this.applying;
    return this.act(command);
  }

  private async act<A extends NodeAction>(action: A): Promise<ReplyValues[A['type']]> {
    type Out = ReplyValues[A['type']];
    const node = this.node;
    if (!node) throw new NodeOfflineError();
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
    }
    throw new Error(`unhandled action ${(action as NodeAction).type}`);
  }

  private apply(config: HostConfig): void {
    this.applying = this.applying.then(async () => {
      if (!this.config || identityChanged(this.config.identity, config.identity)) await this.replaceNode(config.identity);
      this.history ??= new StatsHistory(config.daily);
      this.config = config;
      this.node!.configure(config.settings);
      this.node!.setBlocked(config.blockList.entries.map((entry) => entry.id));
      this.broadcast({ type: 'blocklist', state: config.blockList });
      this.watchTrial(config.trial);
    });
  }

  private async replaceNode(stored: StoredIdentity): Promise<void> {
    this.node?.stop();
    const identity = await Identity.fromStored(stored);
    const node = new MeshNode({ ...this.deps, identity, log: this.log });
    node.events.on('state:change', (snapshot) => {
      this.broadcast({ type: 'state', snapshot });
      const connected = snapshot.signaling.state === 'open' && snapshot.rendezvous.relays.some((relay) => relay.state === 'open');
      if (connected) this.endTrial(true);
    });
    this.node = node;
  }

  /** Watches an endpoint trial: the first time the node is connected ends it well; the deadline, badly. */
  private watchTrial(trial: HostConfig['trial']): void {
    if (this.trialWatch && this.trialWatch.deadline === trial?.deadline) return;
    if (this.trialWatch) this.timers.cancel(this.trialWatch.timer);
    this.trialWatch = null;
    this.broadcast({ type: 'trial', trial });
    if (!trial) return;
    const timer = this.timers.timeout(() => this.endTrial(false), Math.max(0, trial.deadline - this.deps.clock.now()));
    this.trialWatch = { deadline: trial.deadline, timer, reported: false };
  }

  private endTrial(ok: boolean): void {
    const watch = this.trialWatch;
    if (!watch || watch.reported) return;
    watch.reported = true;
    this.timers.cancel(watch.timer);
    this.node?.log.add(ok ? 'info' : 'warn', 'control:endpoint', ok ? 'new endpoints connected: kept' : 'new endpoints did not connect within 15 s: rolling back');
    this.deps.channel.reportTrial(ok).catch((error: unknown) => console.warn('meshdeck: trial result not delivered', error));
  }

  private tickHistory(): void {
    if (!this.node || !this.history) return;
    const { second, minute } = this.history.record(this.deps.clock.now(), this.node.snapshot().totals);
    this.broadcast({ type: 'history:tick', second, minute });
    if (minute) this.deps.channel.appendHistory(minute).catch((error: unknown) => console.warn('meshdeck: history not kept', error));
  }

  private broadcast(message: StateMessage): void {
    for (const observer of this.observers) observer.post(message);
  }

  private observe(observer: Observer): void {
    this.observers.add(observer);
    observer.onClose(() => this.observers.delete(observer));
    if (this.node) {
      observer.post({ type: 'state', snapshot: this.node.snapshot() });
      observer.post({ type: 'log', entries: this.node.log.all() });
    }
    if (this.history) observer.post({ type: 'history', recent: this.history.recentPoints(), daily: this.history.dailyPoints() });
    if (this.config) {
      observer.post({ type: 'blocklist', state: this.config.blockList });
      observer.post({ type: 'trial', trial: this.config.trial });
    }
  }

  /** Everything a bug report needs, and nothing secret: identity appears as public keys and IDs only. */
  diagnostics(): DiagnosticsReport {
    const node = this.node;
    const config = this.config;
    if (!node || !config) throw new NodeOfflineError();
    return {
      app: this.deps.app,
      exportedAt: this.deps.clock.now(),
      settings: config.settings,
      blockList: config.blockList.entries,
      snapshot: node.snapshot(),
      history: { recent: this.history?.recentPoints() ?? [], daily: this.history?.dailyPoints() ?? [] },
      log: node.log.all(),
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

/** A new node key, or a new certificate (the user key changed): the node restarts under it. */
const identityChanged = (a: StoredIdentity, b: StoredIdentity): boolean =>
  a.node.pub !== b.node.pub || a.user.pub !== b.user.pub || a.cert.sig !== b.cert.sig;
