/**
 * The Meshdeck node: reconciles the desired Settings into signaling (PeerJS), rendezvous (GUN) and
 * authenticated peer sessions, and reports observed state.
 */
import { TimerGroup, type Clock } from './clock';
import { Emitter } from './events';
import { median } from './heartbeat';
import { IdentityVerifier, type Identity } from './identity';
import type { Link } from './link';
import type { NodeSnapshot, RelayState, SignalingSnapshot, SignalingState, Strength } from './observed-state';
import { PeerSession, type CloseReason } from './peer-session';
import { ANNOUNCE_INTERVAL_MS, isStale, pickRecord, signRecord, verifyRecord, type VerifiedRecord } from './rendezvous-record';
import type { Settings } from './settings';
import { SnapshotPublisher } from './snapshot-publisher';
import type { Rendezvous, RendezvousFactory, Signaling, SignalingFactory } from './transport';

const STATS_INTERVAL_MS = 1000;
const DIAL_SWEEP_MS = 3000;
/** After a peer said `user-disconnect` or `blocked`, PROTOCOL.md §5 forbids redialling for 10 minutes. */
const REDIAL_FORBIDDEN_MS = 10 * 60_000;
const DIAL_BACKOFF_BASE_MS = 1000;
const DIAL_BACKOFF_CAP_MS = 60_000;
/** Neighbour changes are announced at once, but not more than once a second. */
const NEIGHBOUR_ANNOUNCE_MIN_MS = 1000;
const INVALID_MEMORY = 4096;

export interface NodeComponents {
  identity: Identity;
  clock: Clock;
  createSignaling: SignalingFactory;
  createRendezvous: RendezvousFactory;
  /** `meshdeck/<version>`, sent in hello. */
  app: string;
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

interface DialPolicy {
  /** No automatic dial before this time. */
  notBefore: number;
  failures: number;
  /** After a remote `shutdown`/`paused` bye: wait for a record newer than this. */
  waitForRecordAfter: number | null;
}

export class MeshNode {
  readonly events = new Emitter<NodeEvents>();
  readonly verifier = new IdentityVerifier();
  private settings: Settings | null = null;
  private signaling: Signaling | null = null;
  private rendezvous: Rendezvous | null = null;
  private readonly sessions = new Map<string, PeerSession>();
  private readonly records = new Map<string, KnownRecord>();
  private readonly invalidVersions = new Set<string>();
  private readonly dialPolicies = new Map<string, DialPolicy>();
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
    this.signalingState = { state: 'stopped', since: components.clock.now(), error: null };
    this.publisher = new SnapshotPublisher(components.clock, () => this.snapshot(), (s) => this.events.emit('state:change', s));
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
    this.publisher.changed(true);
  }

  /** Final teardown (host shutting down): like disabling, and no later configure() revives it. */
  stop(): void {
    if (this.isRunning) this.goOffline('shutdown');
    this.stopped = true;
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
        this.relayStates.set(url, state);
        this.publisher.changed(true);
      }),
    );
    this.setSignalingState('connecting', null);
    signaling.start();
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
    this.timers.clear();
    this.relayStates.clear();
    this.setSignalingState('stopped', null);
  }

  private onSignalingState(state: SignalingState, error: string | null): void {
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

  /** Opens a connection to `nodeId` now (a user's request or the auto-dialler). */
  dial(nodeId: string): PeerSession {
    if (!this.signaling) throw new NodeOfflineError();
    const existing = this.sessions.get(nodeId);
    if (existing) return existing;
    return this.adopt(this.signaling.dial(nodeId));
  }

  /** Closes the connection to `nodeId` through the one teardown path; `bye` tells the peer why. */
  disconnect(nodeId: string, reason: CloseReason = 'user-disconnect'): void {
    this.sessions.get(nodeId)?.close(reason);
  }

  private onInbound(link: Link): void {
    const existing = this.sessions.get(link.remoteId);
    if (existing) {
      // Both sides dialled at once: keep the connection dialled by the smaller node ID, on both ends.
      const keepOurs = !existing.isReady && existing.link.direction === 'outbound' && this.nodeId < link.remoteId;
      if (keepOurs) {
        link.close();
        return;
      }
      // Otherwise the new link wins: a ready session being re-dialled means the peer restarted.
      existing.close('duplicate');
    }
    this.adopt(link);
  }

  private adopt(link: Link): PeerSession {
    const session = new PeerSession(
      link,
      this.components.identity,
      this.verifier,
      { isBlocked: () => false, app: this.components.app, caps: [] },
      this.components.clock,
    );
    this.sessions.set(link.remoteId, session);
    session.events.on('session:ready', () => this.onReady(session));
    session.events.on('session:close', ({ reason, error }) => this.onClose(session, reason, error));
    this.publisher.changed(true);
    return session;
  }

  private onReady(session: PeerSession): void {
    this.dialPolicies.delete(session.remoteId);
    this.events.emit('peer:ready', session);
    this.publisher.changed(true);
    this.announceNeighbours();
  }

  private onClose(session: PeerSession, reason: CloseReason, error: string | null): void {
    if (this.sessions.get(session.remoteId) === session) this.sessions.delete(session.remoteId);
    if (reason === 'handshake-refused') this.handshakesRefused++;
    this.updateDialPolicy(session, reason);
    this.events.emit('peer:close', { nodeId: session.remoteId, reason, error });
    this.publisher.changed(true);
    if (session.lastHandshakeAt !== null) this.announceNeighbours();
  }

  private updateDialPolicy(session: PeerSession, reason: CloseReason): void {
    const now = this.components.clock.now();
    const policy = this.dialPolicies.get(session.remoteId) ?? { notBefore: 0, failures: 0, waitForRecordAfter: null };
    if (reason === 'remote:user-disconnect' || reason === 'remote:blocked') {
      policy.notBefore = now + REDIAL_FORBIDDEN_MS;
    } else if (reason === 'remote:shutdown' || reason === 'remote:paused') {
      policy.waitForRecordAfter = now;
    } else if (reason === 'duplicate' || reason === 'shutdown') {
      return;
    } else if (session.lastHandshakeAt === null || reason === 'dead') {
      policy.failures++;
      const ceiling = Math.min(DIAL_BACKOFF_CAP_MS, DIAL_BACKOFF_BASE_MS * 2 ** (policy.failures - 1));
      policy.notBefore = now + ceiling / 2 + (Math.random() * ceiling) / 2;
    }
    this.dialPolicies.set(session.remoteId, policy);
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
    if (!settings?.enabled || !this.signaling || this.signalingState.state !== 'open') return;
    if (nodeId === this.nodeId || this.sessions.has(nodeId) || this.sessions.size >= settings.maxPeers) return;
    const known = this.records.get(nodeId);
    const now = this.components.clock.now();
    if (!known || isStale(known.verified.record, now)) return;
    const policy = this.dialPolicies.get(nodeId);
    if (policy) {
      if (now < policy.notBefore) return;
      if (policy.waitForRecordAfter !== null && known.verified.record.ts <= policy.waitForRecordAfter) return;
    }
    this.dial(nodeId);
  }

  private async announce(): Promise<void> {
    const settings = this.settings;
    const rendezvous = this.rendezvous;
    if (!settings || !rendezvous) return;
    const now = this.components.clock.now();
    const record = await signRecord(
      this.components.identity,
      { signal: [settings.signalingUrl], routing: false, neighbors: this.readyNeighbours() },
      now,
    );
    if (this.rendezvous !== rendezvous) return;
    rendezvous.announce(record);
    this.lastAnnounceAt = now;
    this.lastNeighbourAnnounce = now;
    this.publisher.changed(false);
  }

  private announceNeighbours(): void {
    if (!this.isRunning) return;
    const wait = this.lastNeighbourAnnounce + NEIGHBOUR_ANNOUNCE_MIN_MS - this.components.clock.now();
    if (wait <= 0) void this.announce();
    else this.timers.timeout(() => void this.announce(), wait);
  }

  private readyNeighbours(): string[] {
    return [...this.sessions.values()].filter((s) => s.isReady).map((s) => s.remoteId);
  }

  /** Re-reads the rendezvous and dials what it finds (the `Refresh peers` control). */
  refreshPeers(): void {
    this.rendezvous?.reread();
    this.dialDiscovered();
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
    for (const { verified } of this.records.values()) if (isStale(verified.record, now)) stale++;
    const signaling: SignalingSnapshot = {
      url: settings?.signalingUrl ?? '',
      state: this.signalingState.state,
      since: this.signalingState.since,
      attempts: this.signaling?.attempts ?? 0,
      lastError: this.signalingState.error,
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
      totals: {
        peers: ready.length,
        rateIn: ready.reduce((sum, p) => sum + p.rateIn, 0),
        rateOut: ready.reduce((sum, p) => sum + p.rateOut, 0),
        medianRttMs: median(rtts),
        loss: ready.length ? ready.reduce((sum, p) => sum + p.loss, 0) / ready.length : 0,
        strength: Math.floor(median(ready.map((p) => p.strength)) ?? 0) as Strength,
        handshakesRefused: this.handshakesRefused,
      },
    };
  }
}

export class NodeOfflineError extends Error {
  override name = 'NodeOfflineError';
  constructor() {
    super('the node is disabled: enable the P2P network first');
  }
}
