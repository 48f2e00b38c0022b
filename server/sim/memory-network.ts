/**
 * The in-memory transport (issue 24, "one of each"): data links, a signaling server that introduces
 * registered nodes, and a rendezvous relay that hands every record to every member
 * (memory-rendezvous.ts). The simulation (sim-network.ts) runs it on a virtual clock with the latency
 * and loss of a real network; the unit tests run it with none, delivering on microtasks, so that
 * core's work completes without any clock being advanced.
 *
 * - Links are reliable and ordered, as a WebRTC data channel is: a frame never overtakes the one sent
 *   before it.
 * - A killed node goes silent, as a crashed machine does: its frames stop, its links never close on
 *   their own (the peers find out by their heartbeats), and the servers forget it.
 * - A frame to a node may be taken by an interceptor first (sim/hostile-node.ts plays a hostile node so).
 */
import { Emitter } from '../../core/lib/events';
import type { Clock } from '../../core/lib/clock';
import type { Link, LinkEvents, Traffic } from '../../core/session/link';
import type { Fingerprints } from '../../core/session/fingerprint';
import type { ConnectionDirection, SignalPath } from '../../core/node/observed-state';
import type { Signaling, SignalingEvents, SignalingFactory } from '../../core/signaling/signaling';
import type { RendezvousFactory } from '../../core/discovery/rendezvous';
import { MemoryRendezvous, MemoryRendezvousStore } from './memory-rendezvous';

/** Takes a frame arriving at a node before the node does; returns true when it consumed it. */
type FrameInterceptor = (frame: string, link: MemoryLink) => boolean;

export class MemoryNetwork {
  readonly counters = { frames: 0, retransmitted: 0, silenced: 0 };
  readonly store: MemoryRendezvousStore;
  /** The signaling server's nodes, by ID. */
  readonly registered = new Map<string, MemorySignaling>();
  /** Node IDs whose dials are neither answered nor refused, as a PeerJS server leaves them until its expire timeout. */
  readonly unanswered = new Set<string>();
  /** Whether links keep every frame they send (`MemoryLink.sent`), for a test to read: not in a simulation of thousands. */
  keepFrames: boolean;
  private readonly dead = new Set<string>();
  private readonly interceptors = new Map<string, FrameInterceptor>();
  private readonly openLinks = new Map<string, Set<MemoryLink>>();

  /** With no clock, every delay is 0 and what is due runs on a microtask. */
  constructor(readonly clock: Clock | null = null) {
    this.keepFrames = clock === null;
    this.store = new MemoryRendezvousStore((run, ms) => this.after(ms, run), this.keepFrames);
  }

  /** Signaling for any node of this network. */
  readonly createSignaling: SignalingFactory = (options) => new MemorySignaling(this, options.nodeId, options.url);

  /** A rendezvous on this network's store, for a node whose latency to the relay is 0. */
  readonly createRendezvous: RendezvousFactory = (options) => new MemoryRendezvous(this.store, options.relayUrls);

  /** Runs `run` after `ms` of the network's clock; with no clock, on a microtask. */
  after(ms: number, run: () => void): void {
    if (this.clock) this.clock.setTimeout(run, ms);
    else queueMicrotask(run);
  }

  /** One-way latency from `nodeId` to the signaling server and the rendezvous relay, ms. */
  latencyToServer(_nodeId: string): number {
    return 0;
  }

  /** One-way latency of a link between `a` and `b`, ms. */
  latencyBetween(_a: string, _b: string): number {
    return 0;
  }

  /** Whether the frame about to be sent on `link` is lost once (and sent again `retransmitMs` later). */
  protected lost(_link: MemoryLink): boolean {
    return false;
  }

  protected get retransmitMs(): number {
    return 0;
  }

  /** Silences `nodeId` for good: no frame to or from it, no dial to it, no record from it. */
  kill(nodeId: string): void {
    this.dead.add(nodeId);
    this.registered.delete(nodeId);
    this.openLinks.delete(nodeId);
  }

  isDead(nodeId: string): boolean {
    return this.dead.has(nodeId);
  }

  intercept(nodeId: string, interceptor: FrameInterceptor): void {
    this.interceptors.set(nodeId, interceptor);
  }

  /** The open links `nodeId` holds. */
  linksOf(nodeId: string): MemoryLink[] {
    return [...(this.openLinks.get(nodeId) ?? [])];
  }

  register(signaling: MemorySignaling): void {
    if (!this.dead.has(signaling.nodeId)) this.registered.set(signaling.nodeId, signaling);
  }

  unregister(signaling: MemorySignaling): void {
    if (this.registered.get(signaling.nodeId) === signaling) this.registered.delete(signaling.nodeId);
  }

  /** Offer and answer through the server: the link opens, or fails as PeerJS's `peer-unavailable`. */
  dial(from: MemorySignaling, to: string): MemoryLink {
    const [ours, theirs] = linkPair(from.nodeId, to, this);
    if (this.unanswered.has(to)) return ours;
    const viaServer = 2 * (this.latencyToServer(from.nodeId) + this.latencyToServer(to));
    this.after(viaServer, () => {
      const target = this.registered.get(to);
      if (!target?.running || this.dead.has(from.nodeId) || ours.isClosed) {
        ours.events.emit('error', new Error(`peer-unavailable: could not connect to peer ${to}`));
        ours.close();
        return;
      }
      target.events.emit('link:inbound', theirs);
      // ICE and DTLS over the link itself: one more round trip.
      this.after(2 * this.latencyBetween(from.nodeId, to), () => {
        if (ours.isClosed || theirs.isClosed) return;
        ours.open();
        theirs.open();
      });
    });
    return ours;
  }

  /** Carries a frame along `link` to its other end, in order, with the link's latency and loss. */
  carry(link: MemoryLink, frame: string): void {
    this.counters.frames++;
    if (this.dead.has(link.owner) || this.dead.has(link.remoteId)) {
      this.counters.silenced++;
      return;
    }
    const latencyMs = this.latencyBetween(link.owner, link.remoteId);
    const now = this.clock?.monotonic() ?? 0;
    let arrival = now + latencyMs;
    if (this.lost(link)) {
      this.counters.retransmitted++;
      arrival += this.retransmitMs;
    }
    arrival = Math.max(arrival, link.lastArrival);
    link.lastArrival = arrival;
    const other = link.other;
    this.after(arrival - now, () => other && this.deliver(other, frame));
  }

  closeFar(link: MemoryLink): void {
    const other = link.other;
    if (!other || other.isClosed || this.dead.has(link.owner)) return;
    this.after(this.latencyBetween(link.owner, link.remoteId), () => this.dead.has(other.owner) || other.close());
  }

  opened(link: MemoryLink): void {
    let links = this.openLinks.get(link.owner);
    if (!links) this.openLinks.set(link.owner, (links = new Set()));
    links.add(link);
  }

  closed(link: MemoryLink): void {
    this.openLinks.get(link.owner)?.delete(link);
  }

  private deliver(link: MemoryLink, frame: string): void {
    if (link.isClosed || this.dead.has(link.owner)) return;
    if (this.interceptors.get(link.owner)?.(frame, link)) return;
    link.events.emit('frame', frame);
  }
}

/**
 * Two connected links, not yet open: `a` is held by node `aId` and points at `bId` (outbound), `b` the
 * reverse. A test opens them itself; `network` carries their frames (by default one of their own).
 */
export function linkPair(aId: string, bId: string, network = new MemoryNetwork()): [MemoryLink, MemoryLink] {
  const a = new MemoryLink(network, aId, bId, 'outbound');
  const b = new MemoryLink(network, bId, aId, 'inbound');
  a.other = b;
  b.other = a;
  return [a, b];
}

export class MemoryLink implements Link {
  readonly events = new Emitter<LinkEvents>();
  path: SignalPath = 'peerjs';
  bufferedBytes = 0;
  other: MemoryLink | null = null;
  isOpen = false;
  isClosed = false;
  /** Every frame sent on it, when its network keeps them. */
  readonly sent: string[] = [];
  /** When the last frame sent on it arrives (monotonic ms): a later frame never overtakes it. */
  lastArrival = 0;
  /** This end's DTLS certificate fingerprint; a party in the middle gives each side a different one. */
  localFingerprint = randomFingerprint();

  constructor(
    private readonly network: MemoryNetwork,
    /** The node holding this end. */
    readonly owner: string,
    readonly remoteId: string,
    readonly direction: ConnectionDirection,
  ) {}

  fingerprints(): Fingerprints | null {
    return this.other ? { local: this.localFingerprint, remote: this.other.localFingerprint } : null;
  }

  open(): void {
    if (this.isClosed) return;
    this.isOpen = true;
    this.network.opened(this);
    this.events.emit('open', undefined);
  }

  send(frame: string): void {
    if (!this.isOpen || this.isClosed) throw new Error('not open');
    if (this.network.keepFrames) this.sent.push(frame);
    this.network.carry(this, frame);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.isOpen = false;
    this.network.closed(this);
    this.events.emit('close', undefined);
    this.network.closeFar(this);
  }

  async readTraffic(): Promise<Traffic | null> {
    return null;
  }
}

/** A sha-256 fingerprint as an SDP writes it: 32 upper-case hex pairs joined by `:`. */
function randomFingerprint(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

export class MemorySignaling implements Signaling {
  readonly events = new Emitter<SignalingEvents>();
  readonly attempts = 0;
  running = false;

  constructor(
    private readonly network: MemoryNetwork,
    readonly nodeId: string,
    readonly url: string,
  ) {}

  start(): void {
    this.running = true;
    this.register();
  }

  stop(): void {
    this.running = false;
    this.network.unregister(this);
    this.events.clear();
  }

  pause(): void {
    this.network.unregister(this);
    this.events.emit('signaling:state', { state: 'stopped', error: null });
  }

  resume(): void {
    if (!this.running) return this.start();
    this.register();
  }

  retryNow(): void {}

  dial(nodeId: string): Link {
    return this.network.dial(this, nodeId);
  }

  private register(): void {
    this.network.after(2 * this.network.latencyToServer(this.nodeId), () => {
      if (!this.running || this.network.isDead(this.nodeId)) return;
      this.network.register(this);
      this.events.emit('signaling:state', { state: 'open', error: null });
    });
  }
}
