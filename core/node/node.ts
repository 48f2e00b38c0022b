/**
 * The Meshdeck node: reconciles the desired Settings into signaling (PeerJS), rendezvous (GUN) and
 * authenticated peer sessions, and reports observed state. The parts live beside it: the user's
 * signaling stop (signaling-stop.ts), which inbound connections it takes (inbound-gate.ts), its
 * sessions (session-table.ts), the room's records (discovery/record-table.ts), whom it dials
 * (auto-dialler.ts, dial-policy.ts, redial-policy.ts), the block and trust lists (access-lists.ts),
 * its announces (announcer.ts) and its snapshot (snapshot.ts).
 */
import { TimerGroup } from '../lib/clock';
import { EventLog } from '../lib/event-log';
import { Emitter } from '../lib/events';
import { IdentityVerifier } from '../identity/identity';
import { MeshRouting } from './mesh-routing';
import type { NodeSnapshot } from './observed-state';
import { PeerSession, type CloseReason } from '../session/peer-session';
import type { Pair } from '../session/wire';
import { BeatPacer } from '../session/beat-pacer';
import { DialBudget } from './dial-budget';
import { AutoDialler } from './auto-dialler';
import { AccessLists } from './access-lists';
import { NodeOfflineError } from './node-errors';
import { OutboundDials } from './outbound-dials';
import { refreshPeers } from './refresh-peers';
import { RedialPolicy } from './redial-policy';
import type { RefreshResult } from './refresh-result';
import type { MeshPingResult } from '../routing/routing-reports';
import { RecordTable } from '../discovery/record-table';
import { RecordIntake } from './record-intake';
import { isStale } from '../discovery/rendezvous-record';
import type { Settings } from '../settings/settings';
import { SnapshotPublisher } from '../lib/snapshot-publisher';
import type { Verdict } from '../discovery/rendezvous';
import type { TransportFactories } from './node-transports';
import { controlChanges, transportsChanged } from './control-changes';
import type { FileSharing } from '../files/file-sharing';
import { RoomServices, type SharedChannel } from './room-services';
import type { TorrentEngineLoader } from '../files/torrent-engine';
import { OnlineRun } from './online-run';
import { SessionAdmission } from './session-admission';
import { SessionLifecycle } from './session-lifecycle';
import { SessionTable } from './session-table';
import { buildSnapshot } from './snapshot';
import { PeerScores } from './peer-scores';
import type { IceServerChecker } from './ice-checks';

/** The node's identity, clock and transports (node-transports.ts), and what it may do without. */
export interface NodeComponents extends TransportFactories {
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
  private readonly routing: MeshRouting;
  private settings: Settings | null = null;
  /** The block list, and the trust list: with `trustedOnly`, the only peers taken and dialled (trust-policy.ts). */
  private readonly access: AccessLists;
  private readonly room: RoomServices;
  private readonly sessions = new SessionTable();
  /** New sessions of peers that have a ready one, in their handshake: each replaces the old once ready. */
  private readonly replacements = new Map<string, PeerSession>();
  private readonly scores: PeerScores;
  private readonly records: RecordTable;
  private readonly intake: RecordIntake;
  private readonly redial: RedialPolicy;
  private readonly dialBudget: DialBudget;
  private readonly dialler: AutoDialler;
  private readonly dials: OutboundDials;
  private readonly timers: TimerGroup;
  /** The one heartbeat timer of all sessions. */
  private readonly beats: BeatPacer;
  private readonly publisher: SnapshotPublisher<NodeSnapshot>;
  /** The node online: its transports, and what rides on them. */
  private readonly run: OnlineRun;
  private readonly admission: SessionAdmission;
  private readonly lifecycle: SessionLifecycle;
  private stopped = false;

  constructor(private readonly components: NodeComponents) {
    const { clock, identity } = components;
    this.timers = new TimerGroup(clock);
    this.beats = new BeatPacer(clock);
    this.redial = new RedialPolicy(clock, () => components.random());
    this.dialBudget = new DialBudget(clock);
    this.log = components.log ?? new EventLog(clock);
    this.records = new RecordTable(identity.nodeId, this.verifier, clock);
    this.access = new AccessLists({ selfUserId: identity.userId, trustedOnly: () => this.settings?.trustedOnly ?? false, log: this.log });
    this.dialler = new AutoDialler({
      timers: this.timers,
      monotonic: () => clock.monotonic(),
      records: this.records,
      sessions: this.sessions,
      budget: this.dialBudget,
      context: () => this.dials.context(),
      dial: (nodeId) => this.dials.dial(nodeId),
      random: () => components.random(),
    });
    this.intake = new RecordIntake({ selfId: identity.nodeId, clock, records: this.records, dialler: this.dialler, log: this.log, changed: () => this.publisher.changed(false) });
    this.scores = new PeerScores(() => clock.monotonic());
    this.room = new RoomServices({
      identity,
      clock,
      loadTorrentEngine: components.loadTorrentEngine,
      nodeKeyOf: (id) => this.freshKeyOf(id),
      isPeer: (id) => this.sessions.get(id)?.isReady ?? false,
      heard: (value, verdict) => this.events.emit('shared:heard', { value, verdict }),
      changed: () => this.publisher.changed(false),
    });
    this.lifecycle = new SessionLifecycle({
      identity,
      verifier: this.verifier,
      app: components.app,
      clock,
      beats: this.beats,
      sessions: this.sessions,
      replacements: this.replacements,
      access: this.access,
      redial: this.redial,
      dialBudget: this.dialBudget,
      scores: this.scores,
      log: this.log,
      route: (message, from) => this.routing.receive(message, from),
      ready: (session) => this.events.emit('peer:ready', session),
      closed: (close) => this.events.emit('peer:close', close),
      pair: (session, message) => this.events.emit('peer:pair', { session, message }),
      changed: () => this.publisher.changed(true),
      neighboursChanged: () => this.run.neighboursChanged(),
    });
    this.admission = new SessionAdmission({
      selfId: identity.nodeId,
      settings: () => this.settings,
      sessions: this.sessions,
      replacements: this.replacements,
      access: this.access,
      userIdOf: (nodeId) => this.records.get(nodeId)?.userId ?? null,
      reachesTargets: () => !this.run.signaling || this.run.signaling.reachesTargets,
      adopt: (link, options) => this.lifecycle.adopt(link, options),
      timers: this.timers,
      log: this.log,
    });
    this.publisher = new SnapshotPublisher(
      clock,
      () => this.snapshot(),
      (s) => this.events.emit('state:change', s),
      () => this.events.listens('state:change'),
    );
    this.routing = new MeshRouting({
      identity,
      clock,
      sessions: this.sessions,
      records: this.records,
      access: this.access,
      routingEnabled: () => this.settings?.routing ?? false,
      log: this.log,
      scores: this.scores,
      changed: () => this.publisher.changed(false),
      random: () => components.random(),
    });
    this.run = new OnlineRun({
      transports: components,
      checkIceServer: components.checkIceServer,
      timers: this.timers,
      log: this.log,
      settings: () => this.settings,
      sessions: this.sessions,
      freshKeyOf: (nodeId) => this.freshKeyOf(nodeId),
      admission: this.admission,
      intake: this.intake,
      room: this.room,
      dialler: this.dialler,
      redial: this.redial,
      dialled: () => this.dials.counted(),
      changed: (urgent) => this.publisher.changed(urgent),
    });
    this.dials = new OutboundDials({
      selfId: identity.nodeId,
      clock,
      settings: () => this.settings,
      signaling: () => this.run.signaling,
      signalingState: () => this.run.signalingState,
      sessions: this.sessions,
      records: this.records,
      redial: this.redial,
      access: this.access,
      adopt: (link) => this.lifecycle.adopt(link),
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
