/**
 * The network of the mesh simulation, in memory on a virtual clock: data links with a latency and a
 * loss of their own (seeded per pair of nodes), a signaling server that introduces registered nodes,
 * and a rendezvous store that hands every record to every member after that member's relay latency.
 *
 * - Links are reliable and ordered, as a WebRTC data channel is: a lost frame is sent again after
 *   `retransmitMs`, and the frames behind it wait for it.
 * - A killed node goes silent, as a crashed machine does: its frames stop, its links never close on
 *   their own (the peers find out by their heartbeats), and the servers forget it.
 * - A frame to a node may be taken by an interceptor first (sim/hostile-node.ts plays a hostile node so).
 */
import { Emitter } from '../../core/lib/events';
import type { Link, LinkEvents, Traffic } from '../../core/session/link';
import type { ConnectionDirection } from '../../core/node/observed-state';
import type { Signaling, SignalingEvents, SignalingFactory } from '../../core/signaling/signaling';
import type { Rendezvous, RendezvousEvents, RendezvousFactory } from '../../core/discovery/rendezvous';
import type { NodeRecord } from '../../core/discovery/rendezvous-record';
import type { VirtualClock } from './virtual-clock';
import { SeededRandom } from './seeded-random';

export interface NetworkConditions {
  /** One-way latency of a link, ms: each pair of nodes draws its own from [min, max]. */
  linkLatencyMs: [number, number];
  /** Each link's chance of losing a frame (sent again after `retransmitMs`) is drawn from [0, lossMax]. */
  lossMax: number;
  retransmitMs: number;
  /** One-way latency from a node to the signaling server and the rendezvous relay, drawn per node. */
  serverLatencyMs: [number, number];
}

export const DEFAULT_CONDITIONS: NetworkConditions = {
  linkLatencyMs: [5, 60],
  lossMax: 0.02,
  retransmitMs: 200,
  serverLatencyMs: [10, 80],
};

/** Takes a frame arriving at a node before the node does; returns true when it consumed it. */
export type FrameInterceptor = (frame: string, link: SimLink) => boolean;

interface LinkConditions {
  latencyMs: number;
  loss: number;
}

export class SimNetwork {
  readonly counters = { frames: 0, retransmitted: 0, silenced: 0 };
  readonly store: SimRendezvousStore;
  private readonly numbers = new Map<string, number>();
  private readonly pairs = new Map<string, LinkConditions>();
  private readonly serverLatency = new Map<string, number>();
  private readonly dead = new Set<string>();
  private readonly registered = new Map<string, SimSignaling>();
  private readonly interceptors = new Map<string, FrameInterceptor>();
  private readonly openLinks = new Map<string, Set<SimLink>>();
  private readonly losses: SeededRandom;

  constructor(
    readonly clock: VirtualClock,
    private readonly seed: number,
    private readonly conditions: NetworkConditions = DEFAULT_CONDITIONS,
  ) {
    this.losses = SeededRandom.of(seed, -1);
    this.store = new SimRendezvousStore(clock);
  }

  /** Adds node number `index` (its conditions are drawn from the seed and this number). */
  add(nodeId: string, index: number): { createSignaling: SignalingFactory; createRendezvous: RendezvousFactory } {
    this.numbers.set(nodeId, index);
    const [min, max] = this.conditions.serverLatencyMs;
    this.serverLatency.set(nodeId, SeededRandom.of(this.seed, index).between(min, max));
    return {
      createSignaling: (options) => new SimSignaling(this, options.nodeId, options.url),
      createRendezvous: () => new SimRendezvous(this.store, this.latencyToServer(nodeId)),
    };
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
  linksOf(nodeId: string): SimLink[] {
    return [...(this.openLinks.get(nodeId) ?? [])];
  }

  latencyToServer(nodeId: string): number {
    return this.serverLatency.get(nodeId) ?? this.conditions.serverLatencyMs[1];
  }

  register(signaling: SimSignaling): void {
    if (!this.dead.has(signaling.nodeId)) this.registered.set(signaling.nodeId, signaling);
  }

  unregister(signaling: SimSignaling): void {
    if (this.registered.get(signaling.nodeId) === signaling) this.registered.delete(signaling.nodeId);
  }

  /** Offer and answer through the server: the link opens, or fails as PeerJS's `peer-unavailable`. */
  dial(from: SimSignaling, to: string): SimLink {
    const ours = new SimLink(this, from.nodeId, to, 'outbound');
    const theirs = new SimLink(this, to, from.nodeId, 'inbound');
    ours.other = theirs;
    theirs.other = ours;
    const viaServer = 2 * (this.latencyToServer(from.nodeId) + this.latencyToServer(to));
    this.clock.setTimeout(() => {
      const target = this.registered.get(to);
      if (!target?.running || this.dead.has(from.nodeId) || ours.isClosed) {
        ours.events.emit('error', new Error(`peer-unavailable: could not connect to peer ${to}`));
        ours.close();
        return;
      }
      target.events.emit('link:inbound', theirs);
      // ICE and DTLS over the link itself: one more round trip.
      this.clock.setTimeout(() => {
        if (ours.isClosed || theirs.isClosed) return;
        ours.open();
        theirs.open();
      }, 2 * this.between(from.nodeId, to).latencyMs);
    }, viaServer);
    return ours;
  }

  /** Carries a frame along `link` to its other end, in order, with the link's latency and loss. */
  carry(link: SimLink, frame: string): void {
    this.counters.frames++;
    if (this.dead.has(link.owner) || this.dead.has(link.remoteId)) {
      this.counters.silenced++;
      return;
    }
    const { latencyMs, loss } = this.between(link.owner, link.remoteId);
    const now = this.clock.monotonic();
    let arrival = now + latencyMs;
    if (this.losses.next() < loss) {
      this.counters.retransmitted++;
      arrival += this.conditions.retransmitMs;
    }
    arrival = Math.max(arrival, link.lastArrival);
    link.lastArrival = arrival;
    this.clock.setTimeout(() => this.deliver(link.other!, frame), arrival - now);
  }

  closeFar(link: SimLink): void {
    const other = link.other;
    if (!other || other.isClosed || this.dead.has(link.owner)) return;
    const { latencyMs } = this.between(link.owner, link.remoteId);
    this.clock.setTimeout(() => this.dead.has(other.owner) || other.close(), latencyMs);
  }

  opened(link: SimLink): void {
    let links = this.openLinks.get(link.owner);
    if (!links) this.openLinks.set(link.owner, (links = new Set()));
    links.add(link);
  }

  closed(link: SimLink): void {
    this.openLinks.get(link.owner)?.delete(link);
  }

  private deliver(link: SimLink, frame: string): void {
    if (link.isClosed || this.dead.has(link.owner)) return;
    if (this.interceptors.get(link.owner)?.(frame, link)) return;
    link.events.emit('frame', frame);
  }

  private between(a: string, b: string): LinkConditions {
    const [x, y] = [this.numbers.get(a) ?? 0, this.numbers.get(b) ?? 0].sort((p, q) => p - q) as [number, number];
    const key = `${x}:${y}`;
    let conditions = this.pairs.get(key);
    if (!conditions) {
      const random = SeededRandom.of(this.seed, x, y);
      const [min, max] = this.conditions.linkLatencyMs;
      conditions = { latencyMs: random.between(min, max), loss: random.next() * this.conditions.lossMax };
      this.pairs.set(key, conditions);
    }
    return conditions;
  }
}

export class SimLink implements Link {
  readonly events = new Emitter<LinkEvents>();
  readonly path = 'peerjs' as const;
  readonly bufferedBytes = 0;
  other: SimLink | null = null;
  isOpen = false;
  isClosed = false;
  /** When the last frame sent on it arrives (monotonic ms): a later frame never overtakes it. */
  lastArrival = 0;
  private readonly fingerprint = randomFingerprint();

  constructor(
    private readonly network: SimNetwork,
    /** The node holding this end. */
    readonly owner: string,
    readonly remoteId: string,
    readonly direction: ConnectionDirection,
  ) {}

  fingerprints() {
    return this.other ? { local: this.fingerprint, remote: this.other.fingerprint } : null;
  }

  open(): void {
    if (this.isClosed) return;
    this.isOpen = true;
    this.network.opened(this);
    this.events.emit('open', undefined);
  }

  send(frame: string): void {
    if (!this.isOpen || this.isClosed) throw new Error('not open');
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

function randomFingerprint(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

class SimSignaling implements Signaling {
  readonly events = new Emitter<SignalingEvents>();
  readonly attempts = 0;
  running = false;

  constructor(
    private readonly network: SimNetwork,
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
    this.network.clock.setTimeout(() => {
      if (!this.running || this.network.isDead(this.nodeId)) return;
      this.network.register(this);
      this.events.emit('signaling:state', { state: 'open', error: null });
    }, 2 * this.network.latencyToServer(this.nodeId));
  }
}

/** Deliveries to members are grouped by latency, rounded up to this step: one timer per group, not per member. */
const DELIVERY_STEP_MS = 10;

/** The rendezvous relay: the latest write of every record, and of the shared channels and slots. */
export class SimRendezvousStore {
  readonly records = new Map<string, unknown>();
  readonly shared = new Map<string, Map<string, unknown>>();
  readonly slots = new Map<string, Map<string, unknown>>();
  private readonly byDelay = new Map<number, Set<SimRendezvous>>();

  constructor(private readonly clock: VirtualClock) {}

  join(member: SimRendezvous): void {
    let group = this.byDelay.get(member.delay);
    if (!group) this.byDelay.set(member.delay, (group = new Set()));
    group.add(member);
    this.after(member.delay, () => {
      for (const record of this.records.values()) member.deliver(record);
    });
  }

  leave(member: SimRendezvous): void {
    this.byDelay.get(member.delay)?.delete(member);
  }

  /** Writes a record as any client of the relay could, junk and forgeries included. */
  put(id: string, record: unknown): void {
    this.records.set(id, record);
    this.toEveryMember((member) => member.deliver(record));
  }

  share(channel: string, key: string, value: unknown): void {
    let values = this.shared.get(channel);
    if (!values) this.shared.set(channel, (values = new Map()));
    values.set(key, value);
    this.toEveryMember((member) => member.deliverShared(channel, value));
  }

  putSlot(path: string, key: string, value: unknown): void {
    let values = this.slots.get(path);
    if (!values) this.slots.set(path, (values = new Map()));
    values.set(key, value);
    this.toEveryMember((member) => member.deliverSlot(path, key, value));
  }

  after(ms: number, deliver: () => void): void {
    this.clock.setTimeout(deliver, ms);
  }

  private toEveryMember(deliver: (member: SimRendezvous) => void): void {
    for (const [delay, group] of this.byDelay) {
      if (!group.size) continue;
      this.clock.setTimeout(() => group.forEach(deliver), delay);
    }
  }
}

export class SimRendezvous implements Rendezvous {
  readonly events = new Emitter<RendezvousEvents>();
  /** Its latency to the relay, rounded up to the delivery step. */
  readonly delay: number;
  private watchingShared: string | null = null;
  private readonly watchingSlots = new Set<string>();
  private started = false;

  constructor(
    private readonly store: SimRendezvousStore,
    latencyMs: number,
  ) {
    this.delay = Math.ceil(latencyMs / DELIVERY_STEP_MS) * DELIVERY_STEP_MS;
  }

  start(): void {
    this.started = true;
    this.store.join(this);
    this.store.after(this.delay, () => this.started && this.events.emit('relay:state', { url: 'sim', state: 'open' }));
  }

  stop(): void {
    this.started = false;
    this.store.leave(this);
    this.events.clear();
  }

  announce(record: NodeRecord): void {
    this.store.after(this.delay, () => this.started && this.store.put(record.id, record));
  }

  reread(): void {
    this.store.after(this.delay, () => {
      for (const record of this.store.records.values()) this.deliver(record);
    });
  }

  share(channel: string, key: string, value: Record<string, string | number>): void {
    this.store.after(this.delay, () => this.store.share(channel, key, value));
  }

  watchShared(channel: string | null): void {
    this.watchingShared = channel;
    if (!channel) return;
    this.store.after(this.delay, () => {
      for (const value of this.store.shared.get(channel)?.values() ?? []) this.deliverShared(channel, value);
    });
  }

  putSlot(path: readonly string[], key: string, value: Record<string, string | number>): void {
    this.store.after(this.delay, () => this.store.putSlot(path.join('/'), key, value));
  }

  watchSlots(path: readonly string[]): void {
    const joined = path.join('/');
    this.watchingSlots.add(joined);
    this.store.after(this.delay, () => {
      for (const [key, value] of this.store.slots.get(joined) ?? []) this.deliverSlot(joined, key, value);
    });
  }

  unwatchSlots(path: readonly string[]): void {
    this.watchingSlots.delete(path.join('/'));
  }

  readSlot(path: readonly string[], key: string, ms: number): Promise<unknown> {
    return new Promise((resolve) => this.store.after(Math.min(ms, 2 * this.delay), () => resolve(this.store.slots.get(path.join('/'))?.get(key))));
  }

  deliver(record: unknown): void {
    if (this.started) this.events.emit('record:update', { value: record, verdict: () => undefined });
  }

  deliverShared(channel: string, value: unknown): void {
    if (this.started && this.watchingShared === channel) this.events.emit('shared:update', { channel, value, verdict: () => undefined });
  }

  deliverSlot(path: string, key: string, value: unknown): void {
    if (this.started && this.watchingSlots.has(path)) this.events.emit('slot:update', { path, key, value, verdict: () => undefined });
  }
}
