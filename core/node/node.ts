/**
 * The Meshdeck node: reconciles the desired Settings into signaling (PeerJS), rendezvous (GUN) and
 * authenticated peer sessions, and reports observed state.
 */
import { TimerGroup, type Clock } from '../lib/clock';
import { describeClose } from '../session/close-reason';
import { EventLog } from '../lib/event-log';
import { Emitter } from '../lib/events';
import { median } from '../session/heartbeat';
import { IdentityVerifier, type Identity } from '../identity/identity';
import type { Link } from '../session/link';
import { MeshRouter } from '../routing/mesh-router';
import type {
  ClosedPeerSnapshot,
  DiscoveredNode,
  NodeSnapshot,
  RelayState,
  SignalingSnapshot,
  SignalingState,
  Strength,
} from './observed-state';
import { HANDSHAKE_TIMEOUT_MS, PeerSession, type CloseReason } from '../session/peer-session';
import { RedialPolicy } from './redial-policy';
import type { MeshPingResult, RefreshResult } from '../control/protocol';
import { ANNOUNCE_INTERVAL_MS, isStale, pickRecord, signRecord, verifyRecord, type VerifiedRecord } from '../discovery/rendezvous-record';
import type { Settings } from '../control/settings';
import { SnapshotPublisher } from '../lib/snapshot-publisher';
import type { Rendezvous, RendezvousFactory, Signaling, SignalingFactory } from './transport';

const STATS_INTERVAL_MS = 1000;
const DIAL_SWEEP_MS = 3000;
/** Neighbour changes are announced at once, but not more than once a second. */
const NEIGHBOUR_ANNOUNCE_MIN_MS = 1000;
const INVALID_MEMORY = 4096;
/** How long `Refresh peers` waits for the rendezvous to answer before reporting what it found. */
const REFRESH_SETTLE_MS = 1000;
const CLOSED_KEPT = 20;
const CLOSED_KEPT_MS = 2 * 60_000;

export interface NodeComponents {
  identity: Identity;
  clock: Clock;
  createSignaling: SignalingFactory;
  createRendezvous: RendezvousFactory;
  /** `meshdeck/<version>`, sent in hello. */
  app: string;
  /** Where events go; the host passes one that outlives the node, so numbering carries on across restarts. */
  log?: EventLog;
}

export interface NodeEvents {
  [name: string]: unknown;
  'state:change': NodeSnapshot;
  'peer:ready': PeerSession;
  'peer:close': { nodeId: string; reason: CloseReason; error: string | null };
}

interface KnownRecord {
  verified: VerifiedRecord;
  seenAt: number;
}

export class MeshNode {
  readonly events = new Emitter<NodeEvents>();
  readonly verifier = new IdentityVerifier();
  readonly log: EventLog;
  private readonly router: MeshRouter;
  private settings: Settings | null = null;
  private blocked = new Set<string>();
  private closed: ClosedPeerSnapshot[] = [];
  private dialCount = 0;
  /** Signaling stopped by the user (`Stop signaling`), and the timer that resumes it. */
  private signalingPaused = false;
  private resumeTimer: unknown = null;
  private neighbourAnnounce: unknown = null;
  private signaling: Signaling | null = null;
  private rendezvous: Rendezvous | null = null;
  private readonly sessions = new Map<string, PeerSession>();
  private readonly records = new Map<string, KnownRecord>();
  private readonly invalidVersions = new Set<string>();
  private readonly redial: RedialPolicy;
  private readonly timers: TimerGroup;
  private readonly publisher: SnapshotPublisher<NodeSnapshot>;
  private signalingState: { state: SignalingState; since: number; error: string | null };
  private readonly relayStates = new Map<string, RelayState>();
  private lastAnnounceAt: number | null = null;
  private lastDiscoveryAt: number | null = null;
  private lastNeighbourAnnounce = 0;
  private handshakesRefused = 0;
  private unsubscribers: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly components: NodeComponents) {
    this.timers = new TimerGroup(components.clock);
    this.redial = new RedialPolicy(components.clock);
    this.log = components.log ?? new EventLog(components.clock);
    this.signalingState = { state: 'stopped', since: components.clock.now(), error: null };
    this.publisher = new SnapshotPublisher(components.clock, () => this.snapshot(), (s) => this.events.emit('state:change', s));
    this.router = new MeshRouter({
      identity: components.identity,
      clock: components.clock,
      readyNeighbours: () => this.readyNeighbours(),
      sendTo: (nodeId, message) => this.sessions.get(nodeId)?.send(message),
      keyOf: (nodeId) => this.keyOf(nodeId),
      isBlocked: (nodeId) => this.blocked.has(nodeId) || this.blocked.has(this.records.get(nodeId)?.verified.userId ?? ''),
      routingEnabled: () => this.settings?.routing ?? false,
      log: (level, type, message, nodeId) => this.log.add(level, type, message, nodeId),
    });
  }

  get nodeId(): string {
    return this.components.identity.nodeId;
  }

  get isRunning(): boolean {
    return this.signaling !== null;
  }

  /** Timers and transport listeners the node holds: all 0 after stop(). */
  get resourceCount(): { timers: number; sessions: number; listeners: number } {
    return { timers: this.timers.size, sessions: this.sessions.size, listeners: this.unsubscribers.length };
  }

  /**
   * Applies desired state: starts, stops, or restarts the parts whose settings changed. Safe to call
   * with the same settings again (the background re-sends them whenever the host boots or asks).
   */
  configure(next: Settings): void {
    if (this.stopped) return;
    const previous = this.settings;
    this.settings = next;
    this.logControlChanges(previous, next);
    const endpointsChanged =
      !previous ||
      previous.signalingUrl !== next.signalingUrl ||
      previous.room !== next.room ||
      previous.relayUrls.join() !== next.relayUrls.join() ||
      JSON.stringify(previous.iceServers) !== JSON.stringify(next.iceServers);
    if (!next.enabled) {
      if (this.isRunning) this.goOffline('shutdown');
    } else if (!this.isRunning) {
      this.goOnline();
    } else if (endpointsChanged) {
      this.goOffline('shutdown');
      this.goOnline();
    } else {
      this.dialDiscovered();
    }
    this.reconcileSignaling();
    this.publisher.changed(true);
  }

  /** Whether the user's `Stop signaling` is in force now. */
  private get signalingStopped(): boolean {
    const stop = this.settings?.signalingStop;
    return !!stop && (stop.until === null || this.components.clock.now() < stop.until);
  }

  /**
   * Applies `Stop signaling`/`Resume signaling`: leaves or rejoins the signaling server while every
   * open connection stays; a stop with an end time resumes by itself then.
   */
  private reconcileSignaling(): void {
    if (this.resumeTimer !== null) this.timers.cancel(this.resumeTimer);
    this.resumeTimer = null;
    const signaling = this.signaling;
    if (!signaling) return;
    const stopped = this.signalingStopped;
    if (stopped && !this.signalingPaused) {
      this.signalingPaused = true;
      signaling.pause();
      this.log.add('info', 'control:signaling', 'signaling stopped; open connections kept');
      void this.announce();
    } else if (!stopped && this.signalingPaused) {
      this.signalingPaused = false;
      signaling.resume();
      this.log.add('info', 'control:signaling', 'signaling resumed');
      void this.announce();
    }
    const until = this.settings?.signalingStop?.until;
    if (stopped && until != null) this.resumeTimer = this.timers.timeout(() => this.reconcileSignaling(), until - this.components.clock.now());
  }

  /** `Retry now`: skips the signaling reconnect backoff. */
  retrySignaling(): void {
    this.signaling?.retryNow();
  }

  private logControlChanges(previous: Settings | null, next: Settings): void {
    const say = (type: string, message: string) => this.log.add('info', type, message);
    if (previous?.enabled !== next.enabled) say('control:enabled', next.enabled ? 'P2P network enabled' : 'P2P network disabled');
    if (!previous) return;
    if (previous.routing !== next.routing) say('control:routing', `mesh routing ${next.routing ? 'on' : 'off'}`);
    if (previous.pauseIncoming !== next.pauseIncoming) say('control:pause', `incoming connections ${next.pauseIncoming ? 'paused' : 'resumed'}`);
    if (previous.pauseOutgoing !== next.pauseOutgoing) say('control:pause', `outgoing connections ${next.pauseOutgoing ? 'paused' : 'resumed'}`);
    if (previous.signalingUrl !== next.signalingUrl) say('control:endpoint', `signaling endpoint changed to ${next.signalingUrl}`);
    if (previous.relayUrls.join() !== next.relayUrls.join()) say('control:endpoint', `relays changed to ${next.relayUrls.join(', ')}`);
  }

  /**
   * Applies the block list (node and user IDs): open connections to blocked nodes close with bye
   * `blocked`, they are no longer dialled, their hellos are refused and their route messages dropped.
   */
  setBlocked(ids: readonly string[]): void {
    const next = new Set(ids);
    for (const id of next) if (!this.blocked.has(id)) this.log.add('info', 'control:block', `blocked ${id}`, id.startsWith('n') ? id : undefined);
    for (const id of this.blocked) if (!next.has(id)) this.log.add('info', 'control:block', `unblocked ${id}`, id.startsWith('n') ? id : undefined);
    this.blocked = next;
    for (const session of [...this.sessions.values()]) {
      if (this.isBlocked(session.remoteId, session.peer?.userId ?? null)) session.close('blocked');
    }
    this.dialDiscovered();
    this.publisher.changed(true);
  }

  isBlocked(nodeId: string, userId: string | null): boolean {
    return this.blocked.has(nodeId) || (userId !== null && this.blocked.has(userId));
  }

  /** Final teardown (host shutting down): like disabling, and no later configure() revives it. */
  stop(): void {
    if (this.isRunning) this.goOffline('shutdown');
    this.stopped = true;
    this.router.stop();
    this.publisher.stop();
    this.events.clear();
  }

  private goOnline(): void {
    const settings = this.settings!;
    const { clock, identity } = this.components;
    const signaling = this.components.createSignaling({
      url: settings.signalingUrl,
      nodeId: identity.nodeId,
      iceServers: settings.iceServers,
      clock,
    });
    const rendezvous = this.components.createRendezvous({ relayUrls: settings.relayUrls, room: settings.room, clock });
    this.signaling = signaling;
    this.rendezvous = rendezvous;
    for (const url of settings.relayUrls) this.relayStates.set(url, 'connecting');
    this.unsubscribers.push(
      signaling.events.on('signaling:state', ({ state, error }) => this.onSignalingState(state, error)),
      signaling.events.on('link:inbound', (link) => this.onInbound(link)),
      rendezvous.events.on('record:update', (raw) => void this.onRecord(raw)),
      rendezvous.events.on('relay:state', ({ url, state }) => {
        const previous = this.relayStates.get(url);
        if (previous !== state) this.log.add(state === 'open' ? 'info' : 'warn', `relay:${state}`, `relay ${url} ${state}`);
        this.relayStates.set(url, state);
        // Back on a relay after losing it: be found again at once, not at the next 15 s announce;
        // and the network is back, so signaling need not wait out its backoff either.
        if (state === 'open' && previous === 'closed') {
          void this.announce();
          this.signaling?.retryNow();
        }
        this.publisher.changed(true);
      }),
    );
    this.signalingPaused = this.signalingStopped;
    if (this.signalingPaused) this.setSignalingState('stopped', null);
    else {
      this.setSignalingState('connecting', null);
      signaling.start();
    }
    rendezvous.start();
    void this.announce();
    this.timers.interval(() => void this.announce(), ANNOUNCE_INTERVAL_MS);
    this.timers.interval(() => void this.sampleStats(), STATS_INTERVAL_MS);
    this.timers.interval(() => this.dialDiscovered(), DIAL_SWEEP_MS);
  }

  private goOffline(reason: CloseReason): void {
    for (const session of [...this.sessions.values()]) session.close(reason);
    this.sessions.clear();
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
    this.signaling?.stop();
    this.rendezvous?.stop();
    this.signaling = null;
    this.rendezvous = null;
    this.signalingPaused = false;
    this.resumeTimer = null;
    this.neighbourAnnounce = null;
    this.timers.clear();
    this.relayStates.clear();
    this.setSignalingState('stopped', null);
  }

  private onSignalingState(state: SignalingState, error: string | null): void {
    if (state !== this.signalingState.state || error) {
      const level = state === 'error' ? 'warn' : 'info';
      this.log.add(level, `signaling:${state}`, error ? `signaling ${state}: ${error}` : `signaling ${state}`);
    }
    this.setSignalingState(state, error);
    if (state === 'open') this.dialDiscovered();
  }

  private setSignalingState(state: SignalingState, error: string | null): void {
    // The last error stays visible while the node retries; only success or a stop clears it.
    const lastError = error ?? (state === 'open' || state === 'stopped' ? null : this.signalingState.error);
    const since = this.signalingState.state === state ? this.signalingState.since : this.components.clock.now();
    this.signalingState = { state, since, error: lastError };
    this.publisher.changed(true);
  }

  /**
   * Opens a connection to `nodeId` now (the auto-dialler, or the user: `userAsked` lifts the 10-minute
   * hold after the user disconnected it).
   */
  dial(nodeId: string, { userAsked = false } = {}): PeerSession {
    if (!this.signaling) throw new NodeOfflineError();
    const existing = this.sessions.get(nodeId);
    if (existing) return existing;
    if (userAsked) this.redial.clear(nodeId);
    if (this.settings?.pauseOutgoing) throw new PausedError('outgoing connections are paused');
    if (this.isBlocked(nodeId, this.records.get(nodeId)?.verified.userId ?? null)) throw new PausedError(`${nodeId} is blocked`);
    this.dialCount++;
    return this.adopt(this.signaling.dial(nodeId));
  }

  /** Closes the connection to `nodeId` through the one teardown path; `bye` tells the peer why. */
  disconnect(nodeId: string, reason: CloseReason = 'user-disconnect'): void {
    this.sessions.get(nodeId)?.close(reason);
  }

  private onInbound(link: Link): void {
    if (this.settings?.pauseIncoming) return this.refuse(link, 'paused');
    const existing = this.sessions.get(link.remoteId);
    if (existing) {
      // Both sides dialled at once: keep the connection dialled by the smaller node ID, on both ends.
      const keepOurs = !existing.isReady && existing.link.direction === 'outbound' && this.nodeId < link.remoteId;
      this.log.add('debug', 'peer:duplicate', `second connection from ${link.remoteId}: keeping the ${keepOurs ? 'existing' : 'new'} one`, link.remoteId);
      if (keepOurs) {
        link.close();
        return;
      }
      // Otherwise the new link wins: a ready session being re-dialled means the peer restarted.
      existing.close('duplicate');
    }
    this.adopt(link);
  }

  /**
   * Turns a new inbound connection away with a bye, sent in answer to the dialler's hello (see
   * PeerSession.onOpen on why the dialled side never speaks first); closed after the handshake limit
   * if the dialler says nothing.
   */
  private refuse(link: Link, reason: 'paused'): void {
    this.log.add('info', 'peer:refused', `refused a connection from ${link.remoteId}: incoming connections are paused`, link.remoteId);
    const timer = this.components.clock.setTimeout(() => link.close(), HANDSHAKE_TIMEOUT_MS);
    link.events.on('close', () => this.components.clock.clearTimeout(timer));
    link.events.on('frame', () => {
      this.components.clock.clearTimeout(timer);
      try {
        link.send(JSON.stringify({ t: 'bye', reason }));
      } finally {
        link.close();
      }
    });
  }

  private adopt(link: Link): PeerSession {
    const session = new PeerSession(
      link,
      this.components.identity,
      this.verifier,
      { isBlocked: (nodeId, userId) => this.isBlocked(nodeId, userId), app: this.components.app, caps: ['route'] },
      this.components.clock,
    );
    this.sessions.set(link.remoteId, session);
    session.events.on('session:ready', () => this.onReady(session));
    session.events.on('session:close', ({ reason, error }) => this.onClose(session, reason, error));
    session.events.on('session:route', ({ message }) => void this.router.receive(message, session.remoteId));
    this.publisher.changed(true);
    return session;
  }

  private onReady(session: PeerSession): void {
    this.redial.clear(session.remoteId);
    this.log.add('info', 'peer:ready', `${session.link.direction} connection ready (user ${session.peer?.userId})`, session.remoteId);
    this.events.emit('peer:ready', session);
    this.publisher.changed(true);
    this.announceNeighbours();
  }

  private onClose(session: PeerSession, reason: CloseReason, error: string | null): void {
    if (this.sessions.get(session.remoteId) === session) this.sessions.delete(session.remoteId);
    if (reason === 'handshake-refused') this.handshakesRefused++;
    this.redial.closed(session.remoteId, reason, session.lastHandshakeAt !== null);
    if (reason !== 'duplicate') this.rememberClosed(session, reason, error);
    this.events.emit('peer:close', { nodeId: session.remoteId, reason, error });
    this.publisher.changed(true);
    if (session.lastHandshakeAt !== null) this.announceNeighbours();
  }

  private rememberClosed(session: PeerSession, reason: CloseReason, error: string | null): void {
    const words = describeClose(reason);
    const refused = reason === 'handshake-refused' || reason === 'protocol-error';
    const level = refused ? 'warn' : reason === 'dead' || reason === 'handshake-timeout' ? 'warn' : 'info';
    this.log.add(level, refused ? 'handshake:refused' : 'peer:close', error ? `${words}: ${error}` : words, session.remoteId);
    this.closed.unshift({
      nodeId: session.remoteId,
      userId: session.peer?.userId ?? null,
      direction: session.link.direction,
      closedAt: this.components.clock.now(),
      reason: words,
      lastError: error ?? session.lastError,
    });
    this.closed.length = Math.min(this.closed.length, CLOSED_KEPT);
  }

  private async onRecord(raw: unknown): Promise<void> {
    let record;
    try {
      record = pickRecord(raw);
    } catch {
      // Partial writes and foreign data in the room: not a node record, nothing to count.
      return;
    }
    if (record.id === this.nodeId) return;
    const known = this.records.get(record.id);
    if (known && known.verified.record.ts >= record.ts) return;
    const version = `${record.id}@${record.ts}`;
    if (this.invalidVersions.has(version)) return;
    let verified: VerifiedRecord;
    try {
      verified = await verifyRecord(record, this.verifier);
    } catch {
      if (this.invalidVersions.size >= INVALID_MEMORY) this.invalidVersions.clear();
      this.invalidVersions.add(version);
      this.publisher.changed(false);
      return;
    }
    if (!this.isRunning) return;
    const current = this.records.get(record.id);
    if (current && current.verified.record.ts >= record.ts) return;
    const now = this.components.clock.now();
    this.records.set(record.id, { verified, seenAt: now });
    this.lastDiscoveryAt = now;
    this.maybeDial(record.id);
    this.publisher.changed(false);
  }

  /** Dials discovered nodes until maxPeers connections exist. */
  private dialDiscovered(): void {
    for (const id of this.records.keys()) this.maybeDial(id);
  }

  private maybeDial(nodeId: string): void {
    const settings = this.settings;
    if (!settings?.enabled || settings.pauseOutgoing || !this.signaling || this.signalingState.state !== 'open') return;
    if (nodeId === this.nodeId || this.sessions.has(nodeId) || this.sessions.size >= settings.maxPeers) return;
    const known = this.records.get(nodeId);
    const now = this.components.clock.now();
    if (!known || isStale(known.verified.record, now) || this.isBlocked(nodeId, known.verified.userId)) return;
    // PeerJS servers do not federate: only a node registered on our endpoint can be dialled there.
    if (!known.verified.signal.includes(settings.signalingUrl)) return;
    if (!this.redial.mayDial(nodeId, known.verified.record.ts)) return;
    this.dial(nodeId);
  }

  private async announce(): Promise<void> {
    const settings = this.settings;
    const rendezvous = this.rendezvous;
    if (!settings || !rendezvous) return;
    const now = this.components.clock.now();
    const record = await signRecord(
      this.components.identity,
      { signal: this.signalingPaused ? [] : [settings.signalingUrl], routing: settings.routing, neighbors: this.readyNeighbours() },
      now,
    );
    if (this.rendezvous !== rendezvous) return;
    rendezvous.announce(record);
    this.lastAnnounceAt = now;
    this.lastNeighbourAnnounce = now;
    this.publisher.changed(false);
  }

  /** Announces a changed neighbour set at once, or once the 1 s spacing allows: one pending announce at most. */
  private announceNeighbours(): void {
    if (!this.isRunning || this.neighbourAnnounce !== null) return;
    const wait = this.lastNeighbourAnnounce + NEIGHBOUR_ANNOUNCE_MIN_MS - this.components.clock.now();
    if (wait <= 0) void this.announce();
    else {
      this.neighbourAnnounce = this.timers.timeout(() => {
        this.neighbourAnnounce = null;
        void this.announce();
      }, wait);
    }
  }

  private readyNeighbours(): string[] {
    return [...this.sessions.values()].filter((s) => s.isReady).map((s) => s.remoteId);
  }

  /**
   * Re-reads the rendezvous at once and dials up to maxPeers (the `Refresh peers` control); reports
   * how many nodes it newly found and how many dials it started.
   */
  async refreshPeers(): Promise<RefreshResult> {
    if (!this.rendezvous) throw new NodeOfflineError();
    const before = new Set(this.records.keys());
    const dialsBefore = this.dialCount;
    this.rendezvous.reread();
    this.dialDiscovered();
    await new Promise<void>((resolve) => this.components.clock.setTimeout(() => resolve(), REFRESH_SETTLE_MS));
    const now = this.components.clock.now();
    const found = [...this.records.entries()].filter(([id, known]) => !before.has(id) && !isStale(known.verified.record, now)).length;
    const result = { found, dialling: this.dialCount - dialsBefore };
    this.log.add('info', 'control:refresh', `refresh: found ${result.found} new, dialling ${result.dialling}`);
    return result;
  }

  /** Mesh ping/traceroute to any node (PROTOCOL.md §6 body `ping`). */
  async meshPing(nodeId: string): Promise<MeshPingResult> {
    if (!this.isRunning) throw new NodeOfflineError();
    try {
      const result = await this.router.ping(nodeId);
      this.log.add('info', 'mesh:ping', `mesh ping ${Math.round(result.rttMs)} ms via ${result.path.join(' → ')}`, nodeId);
      return result;
    } catch (error) {
      this.log.add('warn', 'mesh:ping', `mesh ping failed: ${(error as Error).message}`, nodeId);
      throw error;
    }
  }

  private keyOf(nodeId: string): CryptoKey | null {
    return this.sessions.get(nodeId)?.peer?.nodeKey ?? this.records.get(nodeId)?.verified.nodeKey ?? null;
  }

  private async sampleStats(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.sampleTraffic()));
    this.publisher.changed(false);
  }

  snapshot(): NodeSnapshot {
    const now = this.components.clock.now();
    const { identity } = this.components;
    const settings = this.settings;
    const peers = [...this.sessions.values()].map((s) => s.snapshot(now));
    const ready = peers.filter((p) => p.state === 'ready');
    const rtts = ready.map((p) => p.rttMs).filter((r): r is number => r !== null);
    let stale = 0;
    const discovered: DiscoveredNode[] = [];
    for (const { verified } of this.records.values()) {
      const { record } = verified;
      const old = isStale(record, now);
      if (old) stale++;
      const status = this.isBlocked(record.id, verified.userId) ? 'blocked' : this.sessions.get(record.id)?.isReady ? 'ready' : old ? 'stale' : 'known';
      discovered.push({ nodeId: record.id, userId: verified.userId, status, neighbors: verified.neighbors, routing: record.routing, announcedAt: record.ts });
    }
    this.closed = this.closed.filter((c) => now - c.closedAt <= CLOSED_KEPT_MS);
    const signaling: SignalingSnapshot = {
      url: settings?.signalingUrl ?? '',
      state: this.signalingState.state,
      since: this.signalingState.since,
      attempts: this.signaling?.attempts ?? 0,
      lastError: this.signalingState.error,
      stoppedByUser: this.signalingPaused,
      stoppedUntil: this.signalingPaused ? (settings?.signalingStop?.until ?? null) : null,
    };
    return {
      at: now,
      nodeId: identity.nodeId,
      userId: identity.userId,
      enabled: settings?.enabled ?? false,
      signaling,
      rendezvous: {
        room: settings?.room ?? '',
        relays: (settings?.relayUrls ?? []).map((url) => ({ url, state: this.relayStates.get(url) ?? 'closed' })),
        seen: this.records.size + this.invalidVersions.size,
        valid: this.records.size - stale,
        stale,
        invalid: this.invalidVersions.size,
        lastAnnounceAt: this.lastAnnounceAt,
        lastDiscoveryAt: this.lastDiscoveryAt,
      },
      peers,
      closedPeers: this.closed,
      discovered,
      controls: {
        routing: settings?.routing ?? false,
        pauseIncoming: settings?.pauseIncoming ?? false,
        pauseOutgoing: settings?.pauseOutgoing ?? false,
        blocked: [...this.blocked],
      },
      routing: { ...this.router.counters },
      totals: {
        peers: ready.length,
        rateIn: ready.reduce((sum, p) => sum + p.rateIn, 0),
        rateOut: ready.reduce((sum, p) => sum + p.rateOut, 0),
        medianRttMs: median(rtts),
        worstRttMs: rtts.length ? Math.max(...rtts) : null,
        loss: ready.length ? ready.reduce((sum, p) => sum + p.loss, 0) / ready.length : 0,
        strength: Math.floor(median(ready.map((p) => p.strength)) ?? 0) as Strength,
        handshakesRefused: this.handshakesRefused,
      },
    };
  }
}

export class PausedError extends Error {
  override name = 'PausedError';
}

export class NodeOfflineError extends Error {
  override name = 'NodeOfflineError';
  constructor() {
    super('the node is disabled: enable the P2P network first');
  }
}
