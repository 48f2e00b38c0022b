/**
 * The Meshdeck node: reconciles the desired Settings into signaling (PeerJS), rendezvous (GUN) and
 * authenticated peer sessions, and reports observed state. It is a façade over its parts (README,
 * Layout), each with one concern: a run online (online-run.ts: transports, announces, signaling stop,
 * ICE checks), the records it reads (record-intake.ts), its dials (auto-dialler.ts, outbound-dials.ts,
 * refresh-peers.ts), which links become sessions (session-admission.ts) and their life
 * (session-lifecycle.ts), the block and trust lists (access-lists.ts), mesh routing (mesh-routing.ts),
 * the room's services (room-services.ts), and its snapshot (build-snapshot.ts).
 */
import { TimerGroup } from '../lib/clock';
import { EventLog } from '../lib/event-log';
import { Emitter } from '../lib/events';
import { SnapshotPublisher } from '../lib/snapshot-publisher';
import type { Settings } from '../settings/settings';
import { IdentityVerifier } from '../identity/identity';
import { BeatPacer } from '../session/beat-pacer';
import type { CloseReason } from '../session/close-reason';
import type { PeerSession } from '../session/peer-session';
import type { Pair } from '../session/wire';
import { RecordTable } from '../discovery/record-table';
import type { Verdict } from '../discovery/rendezvous';
import { isStale } from '../discovery/rendezvous-record';
import type { FileSharing } from '../files/file-sharing';
import type { TorrentEngineLoader } from '../files/torrent-engine';
import type { MeshPingResult } from '../routing/routing-reports';
import { AccessLists } from './access-lists';
import { AutoDialler } from './auto-dialler';
import { controlChanges, transportsChanged } from './control-changes';
import { DialBudget } from './dial-budget';
import type { IceServerChecker } from './ice-checks';
import { MeshRouting } from './mesh-routing';
import { NodeOfflineError } from './node-errors';
import type { TransportFactories } from './node-transports';
import type { NodeSnapshot } from './observed-state';
import { OnlineRun } from './online-run';
import { OutboundDials } from './outbound-dials';
import { PeerScores } from './peer-scores';
import { RecordIntake } from './record-intake';
import { RedialPolicy } from './redial-policy';
import { refreshPeers } from './refresh-peers';
import type { RefreshResult } from './refresh-result';
import { RoomServices, type SharedChannel } from './room-services';
import { SessionAdmission } from './session-admission';
import { SessionLifecycle } from './session-lifecycle';
import { SessionTable } from './session-table';
import { buildSnapshot } from './build-snapshot';

/** The node's identity, clock and transports (node-transports.ts), and what it may do without. */
interface NodeComponents extends TransportFactories {
  /** Loads the torrent engine for file sharing when it is first used (core/files); no file sharing when absent. */
  loadTorrentEngine?: TorrentEngineLoader;
  /** Checks each STUN/TURN server when the node goes online with it (core/signaling/ice-check.ts); none when absent. */
  checkIceServer?: IceServerChecker;
  /** `meshdeck/<version>`, sent in hello. */
  app: string;
  /**
   * A number in [0, 1), for the node's random choices: the auto-dialler's order, the redial jitter, the
   * neighbours a route floods to. `Math.random` where the node is composed; tests pin it.
   */
  random(): number;
  /** Where events go; the host passes one that outlives the node, so numbering carries on across restarts. */
  log?: EventLog;
}

export interface NodeEvents {
  'state:change': NodeSnapshot;
  'peer:ready': PeerSession;
  'peer:close': { nodeId: string; reason: CloseReason; error: string | null };
  /** A pairing message from a ready peer (core/pairing). */
  'peer:pair': { session: PeerSession; message: Pair };
  /** A value of the shared channel set by setShared (a paired browser's sealed list), unverified: whoever merges it gives the verdict. */
  'shared:heard': { value: unknown; verdict: Verdict };
}

export class MeshNode {
  readonly events = new Emitter<NodeEvents>();
  readonly verifier = new IdentityVerifier();
  readonly log: EventLog;
  private settings: Settings | null = null;
  private stopped = false;
  /** The timers of the node's runs and of the parts riding on them: all released when a run ends. */
  private readonly timers: TimerGroup;
  private readonly sessions = new SessionTable();
  /** New sessions of peers that have a ready one, in their handshake: each replaces the old once ready. */
  private readonly replacements = new Map<string, PeerSession>();
  private readonly records: RecordTable;
  /** The block list, and the trust list: with `trustedOnly`, the only peers taken and dialled (trust-policy.ts). */
  private readonly access: AccessLists;
  private readonly redial: RedialPolicy;
  private readonly scores: PeerScores;
  private readonly publisher: SnapshotPublisher<NodeSnapshot>;
  private readonly run: OnlineRun;
  private readonly intake: RecordIntake;
  private readonly dialler: AutoDialler;
  private readonly dials: OutboundDials;
  private readonly admission: SessionAdmission;
  private readonly lifecycle: SessionLifecycle;
  private readonly routing: MeshRouting;
  private readonly room: RoomServices;

  constructor(private readonly components: NodeComponents) {
    const { clock, identity } = components;
    this.log = components.log ?? new EventLog(clock);
    this.timers = new TimerGroup(clock);
    this.records = new RecordTable(identity.nodeId, this.verifier, clock);
    this.access = new AccessLists({ selfUserId: identity.userId, trustedOnly: () => this.settings?.trustedOnly ?? false, log: this.log });
    this.redial = new RedialPolicy(clock, () => components.random());
    this.scores = new PeerScores(() => clock.monotonic());
    this.publisher = new SnapshotPublisher(clock, () => this.snapshot(), (s) => this.events.emit('state:change', s), () => this.events.listens('state:change'));
    const dialBudget = new DialBudget(clock);
    // What the parts share: each takes of these what its deps name (libp2p's components, each service
    // declaring the narrow part it uses), and is given the rest by name below.
    const shared = {
      identity,
      clock,
      selfId: identity.nodeId,
      log: this.log,
      timers: this.timers,
      random: () => components.random(),
      settings: () => this.settings,
      sessions: this.sessions,
      replacements: this.replacements,
      records: this.records,
      access: this.access,
      redial: this.redial,
      scores: this.scores,
    };
    this.dialler = new AutoDialler({
      ...shared,
      monotonic: () => clock.monotonic(),
      budget: dialBudget,
      context: () => this.dials.context(),
      dial: (nodeId) => this.dials.dial(nodeId),
    });
    this.dials = new OutboundDials({
      ...shared,
      signaling: () => this.run.signaling,
      signalingState: () => this.run.signalingState,
      adopt: (link) => this.lifecycle.adopt(link),
    });
    this.intake = new RecordIntake({ ...shared, dialler: this.dialler, changed: () => this.publisher.changed(false) });
    this.lifecycle = new SessionLifecycle({
      ...shared,
      verifier: this.verifier,
      app: components.app,
      // The one heartbeat timer of all sessions.
      beats: new BeatPacer(clock),
      dialBudget,
      route: (message, from) => this.routing.receive(message, from),
      ready: (session) => this.events.emit('peer:ready', session),
      closed: (close) => this.events.emit('peer:close', close),
      pair: (session, message) => this.events.emit('peer:pair', { session, message }),
      changed: () => this.publisher.changed(true),
      neighboursChanged: () => this.run.neighboursChanged(),
    });
    this.admission = new SessionAdmission({
      ...shared,
      userIdOf: (nodeId) => this.records.get(nodeId)?.userId ?? null,
      reachesTargets: () => !this.run.signaling || this.run.signaling.reachesTargets,
      adopt: (link, options) => this.lifecycle.adopt(link, options),
    });
    this.routing = new MeshRouting({ ...shared, routingEnabled: () => this.settings?.routing ?? false, changed: () => this.publisher.changed(false) });
    this.room = new RoomServices({
      ...shared,
      loadTorrentEngine: components.loadTorrentEngine,
      nodeKeyOf: (nodeId) => this.freshKeyOf(nodeId),
      isPeer: (nodeId) => this.sessions.get(nodeId)?.isReady ?? false,
      heard: (value, verdict) => this.events.emit('shared:heard', { value, verdict }),
      changed: () => this.publisher.changed(false),
    });
    this.run = new OnlineRun({
      ...shared,
      transports: components,
      checkIceServer: components.checkIceServer,
      freshKeyOf: (nodeId) => this.freshKeyOf(nodeId),
      admission: this.admission,
      intake: this.intake,
      room: this.room,
      dialler: this.dialler,
      dialled: () => this.dials.counted(),
      changed: (urgent) => this.publisher.changed(urgent),
    });
  }

  get nodeId(): string {
    return this.components.identity.nodeId;
  }

  get isRunning(): boolean {
    return this.run.isOnline;
  }

  /** Timers and transport listeners the node holds: all 0 after stop(). */
  get resourceCount(): { timers: number; sessions: number; listeners: number; refused: number } {
    return { timers: this.timers.size, sessions: this.sessions.size + this.replacements.size, listeners: this.run.listenerCount, refused: this.admission.refusedCount };
  }

  /** The settings the node runs with (null before the first configure()). */
  get appliedSettings(): Settings | null {
    return this.settings;
  }

  /**
   * Applies desired state: starts, stops, or restarts the parts whose settings changed. Safe to call
   * with the same settings again (the background re-sends them whenever the host boots or asks).
   */
  configure(next: Settings): void {
    if (this.stopped) return;
    const previous = this.settings;
    this.settings = next;
    for (const { type, message } of controlChanges(previous, next)) this.log.add('info', type, message);
    if (next.trustedOnly && !previous?.trustedOnly) this.lifecycle.closeRefused();
    // Another room's records are of no use here, and would be dialled.
    if (previous && previous.room !== next.room) {
      this.records.clear();
      this.dialler.stop();
    }
    if (!next.enabled) {
      if (this.isRunning) this.goOffline('shutdown');
    } else if (!this.isRunning) {
      this.goOnline();
    } else if (transportsChanged(previous, next)) {
      this.goOffline('shutdown');
      this.goOnline();
    } else {
      this.dialler.sweep();
    }
    this.run.reconcileStop(next.signalingStop);
    this.publisher.changed(true);
  }

  /** `Retry now`: skips the signaling reconnect backoff. */
  retrySignaling(): void {
    this.run.retrySignaling();
  }

  /**
   * Applies the block list (node and user IDs): open connections to blocked nodes close with bye
   * `blocked`, they are no longer dialled, their hellos are refused and their route messages dropped.
   */
  setBlocked(ids: readonly string[]): void {
    this.access.setBlocked(ids);
    this.lifecycle.closeRefused();
    this.dialler.sweep();
    this.publisher.changed(true);
  }

  isBlocked(nodeId: string, userId: string | null): boolean {
    return this.access.isBlocked(nodeId, userId);
  }

  /**
   * Applies the trust list (node and user IDs, issue 13). With `Trusted peers only` on, connections to
   * peers no longer trusted close with bye `blocked`, and newly trusted nodes are dialled.
   */
  setTrusted(ids: readonly string[]): void {
    const added = this.access.setTrusted(ids);
    // Trusting is the user's word, as a dial they ask for: a node refused as a stranger a moment ago
    // (its failure backoff running) is dialled at once.
    for (const known of this.records.all()) if (added.has(known.record.id) || added.has(known.userId)) this.redial.clear(known.record.id);
    this.lifecycle.closeRefused();
    this.dialler.sweep();
    this.publisher.changed(true);
  }

  /** Whether trusted-only mode turns this peer away (core/node/trust-policy.ts); false while the mode is off. */
  isStranger(nodeId: string, userId: string | null): boolean {
    return this.access.isStranger(nodeId, userId);
  }

  /** Final teardown (host shutting down): like disabling, and no later configure() revives it. */
  stop(): void {
    if (this.isRunning) this.goOffline('shutdown');
    this.stopped = true;
    this.routing.stop();
    this.publisher.stop();
    this.events.clear();
  }

  private goOnline(): void {
    this.run.start(this.settings!);
  }

  private goOffline(reason: CloseReason): void {
    // Every session first: its bye goes out while the transports still carry it.
    this.lifecycle.closeAll(reason);
    this.run.stop();
  }

  /**
   * Watches a shared channel and writes this node's value there (paired browsers' sealed block lists,
   * core/pairing/shared-list.ts), now and whenever the node is online; null stops both.
   */
  setShared(shared: SharedChannel | null): void {
    this.room.setShared(shared);
  }

  /** File sharing in the room while the node is online (null offline, or without a torrent engine). */
  get files(): FileSharing | null {
    return this.room.files;
  }

  /** The ready connections. */
  readySessions(): PeerSession[] {
    return this.sessions.all().filter((session) => session.isReady);
  }

  /**
   * Opens a connection to `nodeId` now (the auto-dialler, or the user: `userAsked` lifts the 10-minute
   * hold after the user disconnected it).
   */
  dial(nodeId: string, options: { userAsked?: boolean } = {}): PeerSession {
    return this.dials.dial(nodeId, options);
  }

  /** Closes the connection to `nodeId` through the one teardown path; `bye` tells the peer why. */
  disconnect(nodeId: string, reason: CloseReason = 'user-disconnect'): void {
    this.sessions.get(nodeId)?.close(reason);
  }

  /**
   * Re-reads the rendezvous at once and dials up to maxPeers (the `Refresh peers` control); reports
   * how many nodes it newly found and how many dials it started.
   */
  refreshPeers(): Promise<RefreshResult> {
    const { run, records, dials, dialler, log } = this;
    return refreshPeers({ clock: this.components.clock, rendezvous: run.rendezvous, records, dials, dialler, log });
  }

  /** Mesh ping/traceroute to any node (docs/protocol.md §6 body `ping`). */
  async meshPing(nodeId: string): Promise<MeshPingResult> {
    if (!this.isRunning) throw new NodeOfflineError();
    return this.routing.ping(nodeId);
  }

  /** The node key of a node whose record is fresh and valid: the only senders fallback signaling hears. */
  private freshKeyOf(nodeId: string): CryptoKey | null {
    const known = this.records.get(nodeId);
    return known && !isStale(known.record, this.components.clock.now()) ? known.nodeKey : null;
  }

  snapshot(): NodeSnapshot {
    const now = this.components.clock.now();
    const { identity } = this.components;
    const run = this.run.snapshot();
    const built = buildSnapshot({
      now,
      nodeId: identity.nodeId,
      userId: identity.userId,
      settings: this.settings,
      sessions: this.sessions.all(),
      records: this.records.all(),
      invalidRecords: this.records.invalidCount,
      closed: this.sessions.recentlyClosed(now),
      signaling: run.signaling,
      relayStates: run.relayStates,
      lastAnnounceAt: run.lastAnnounceAt,
      lastDiscoveryAt: this.intake.lastDiscoveryAt,
      blocked: this.access.blocked,
      trusted: this.access.trusted,
      routing: this.routing.counters,
      handshakesRefused: this.lifecycle.handshakesRefused,
      scoreOf: (nodeId) => this.scores.scoreOf(nodeId),
    });
    return { ...built, files: this.room.files?.snapshot() ?? null, ice: run.ice };
  }
}
