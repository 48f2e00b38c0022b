/** In-memory transports for core under test: linked pairs of Links, a signaling hub and a rendezvous store. */
import { Emitter } from '../../core/lib/events';
import type { Link, LinkEvents, Traffic } from '../../core/session/link';
import type { Fingerprints } from '../../core/session/fingerprint';
import type { ConnectionDirection, SignalPath } from '../../core/node/observed-state';
import type { NodeRecord } from '../../core/discovery/rendezvous-record';
import type { Signaling, SignalingEvents, SignalingFactory } from '../../core/signaling/signaling';
import type { Rendezvous, RendezvousEvents, RendezvousFactory } from '../../core/discovery/rendezvous';

export class FakeLink implements Link {
  readonly events = new Emitter<LinkEvents>();
  other: FakeLink | null = null;
  isOpen = false;
  isClosed = false;
  readonly sent: string[] = [];
  /** This end's DTLS certificate fingerprint; a party in the middle gives each side a different one. */
  localFingerprint = randomFingerprint();
  bufferedBytes = 0;
  path: SignalPath = 'peerjs';

  constructor(
    readonly remoteId: string,
    readonly direction: ConnectionDirection,
  ) {}

  fingerprints(): Fingerprints | null {
    return this.other ? { local: this.localFingerprint, remote: this.other.localFingerprint } : null;
  }

  open(): void {
    this.isOpen = true;
    this.events.emit('open', undefined);
  }

  send(frame: string): void {
    if (!this.isOpen || this.isClosed) throw new Error('not open');
    this.sent.push(frame);
    const other = this.other;
    queueMicrotask(() => other && !other.isClosed && other.events.emit('frame', frame));
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.isOpen = false;
    this.events.emit('close', undefined);
    const other = this.other;
    queueMicrotask(() => other?.close());
  }

  async readTraffic(): Promise<Traffic | null> {
    return null;
  }
}

/** A sha-256 fingerprint as an SDP writes it: 32 upper-case hex pairs joined by `:`. */
export function randomFingerprint(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

/** Two connected links: `a` is held by node `aId` and points at `bId`, and the reverse. */
export function linkPair(aId: string, bId: string): [FakeLink, FakeLink] {
  const a = new FakeLink(bId, 'outbound');
  const b = new FakeLink(aId, 'inbound');
  a.other = b;
  b.other = a;
  return [a, b];
}

/** A signaling server in memory: nodes register by ID and dial each other. */
export class FakeSignalingHub {
  readonly registered = new Map<string, FakeSignaling>();
  /** Node IDs whose dials are neither answered nor refused, as a PeerJS server leaves them until its expire timeout. */
  readonly unanswered = new Set<string>();
  readonly factory: SignalingFactory = (options) => new FakeSignaling(this, options.nodeId, options.url);
}

export class FakeSignaling implements Signaling {
  readonly events = new Emitter<SignalingEvents>();
  readonly attempts = 0;
  running = false;

  constructor(
    private readonly hub: FakeSignalingHub,
    readonly nodeId: string,
    readonly url: string,
  ) {}

  start(): void {
    this.running = true;
    this.hub.registered.set(this.nodeId, this);
    queueMicrotask(() => this.running && this.events.emit('signaling:state', { state: 'open', error: null }));
  }

  stop(): void {
    this.running = false;
    if (this.hub.registered.get(this.nodeId) === this) this.hub.registered.delete(this.nodeId);
    this.events.clear();
  }

  pause(): void {
    if (this.hub.registered.get(this.nodeId) === this) this.hub.registered.delete(this.nodeId);
    this.events.emit('signaling:state', { state: 'stopped', error: null });
  }

  resume(): void {
    if (!this.running) return this.start();
    this.hub.registered.set(this.nodeId, this);
    queueMicrotask(() => this.running && this.events.emit('signaling:state', { state: 'open', error: null }));
  }

  retryNow(): void {}

  dial(nodeId: string): Link {
    const [ours, theirs] = linkPair(this.nodeId, nodeId);
    const target = this.hub.registered.get(nodeId);
    if (this.hub.unanswered.has(nodeId)) return ours;
    queueMicrotask(() => {
      if (!target?.running) {
        ours.events.emit('error', new Error('peer-unavailable'));
        ours.close();
        return;
      }
      target.events.emit('link:inbound', theirs);
      ours.open();
      theirs.open();
    });
    return ours;
  }
}

/** A rendezvous store in memory shared by every node of a test. */
export class FakeRendezvousStore {
  readonly records = new Map<string, unknown>();
  /** Each record delivered → the verdict its node gave on it (rendezvous.ts, Verdict). */
  readonly verdicts = new Map<unknown, boolean>();
  /** Shared channels: channel → key → value. */
  readonly shared = new Map<string, Map<string, unknown>>();
  private readonly members = new Set<FakeRendezvous>();
  readonly factory: RendezvousFactory = (options) => new FakeRendezvous(this, options.relayUrls);

  join(member: FakeRendezvous): void {
    this.members.add(member);
    for (const record of this.records.values()) queueMicrotask(() => member.deliver(record));
  }

  leave(member: FakeRendezvous): void {
    this.members.delete(member);
  }

  share(channel: string, key: string, value: unknown): void {
    let values = this.shared.get(channel);
    if (!values) this.shared.set(channel, (values = new Map()));
    values.set(key, value);
    for (const member of this.members) queueMicrotask(() => member.deliverShared(channel, value));
  }

  /** The room's slots (fallback signaling): path → key → value. */
  readonly slots = new Map<string, Map<string, unknown>>();

  /** Writes a slot as any client of the store could, forged and replayed signals included. */
  putSlot(path: string, key: string, value: unknown): void {
    let values = this.slots.get(path);
    if (!values) this.slots.set(path, (values = new Map()));
    values.set(key, value);
    for (const member of this.members) queueMicrotask(() => member.deliverSlot(path, key, value));
  }

  /** Writes a record as any client of the store could, forged ones included. */
  put(id: string, record: unknown): void {
    this.records.set(id, record);
    for (const member of this.members) queueMicrotask(() => member.deliver(record));
  }
}

export class FakeRendezvous implements Rendezvous {
  readonly events = new Emitter<RendezvousEvents>();
  announced: NodeRecord[] = [];

  constructor(
    private readonly store: FakeRendezvousStore,
    private readonly relayUrls: string[] = [],
  ) {}

  start(): void {
    this.store.join(this);
    for (const url of this.relayUrls) queueMicrotask(() => this.events.emit('relay:state', { url, state: 'open' }));
  }

  stop(): void {
    this.store.leave(this);
    this.events.clear();
  }

  deliver(record: unknown): void {
    this.events.emit('record:update', { value: record, verdict: (genuine) => this.store.verdicts.set(record, genuine) });
  }

  announce(record: NodeRecord): void {
    this.announced.push(record);
    this.store.put(record.id, record);
  }

  private watching: string | null = null;

  share(channel: string, key: string, value: Record<string, string | number>): void {
    this.store.share(channel, key, value);
  }

  watchShared(channel: string | null): void {
    this.watching = channel;
    if (!channel) return;
    for (const value of this.store.shared.get(channel)?.values() ?? []) queueMicrotask(() => this.deliverShared(channel, value));
  }

  deliverShared(channel: string, value: unknown): void {
    if (this.watching === channel) this.events.emit('shared:update', { channel, value, verdict: () => undefined });
  }

  reread(): void {
    for (const record of this.store.records.values()) this.deliver(record);
  }

  private readonly watchingSlots = new Set<string>();

  putSlot(path: readonly string[], key: string, value: Record<string, string | number>): void {
    this.store.putSlot(path.join('/'), key, value);
  }

  watchSlots(path: readonly string[]): void {
    const joined = path.join('/');
    this.watchingSlots.add(joined);
    for (const [key, value] of this.store.slots.get(joined) ?? []) queueMicrotask(() => this.deliverSlot(joined, key, value));
  }

  unwatchSlots(path: readonly string[]): void {
    this.watchingSlots.delete(path.join('/'));
  }

  async readSlot(path: readonly string[], key: string, _ms?: number, accept: (value: unknown) => Promise<boolean> = async () => true): Promise<unknown> {
    const value = this.store.slots.get(path.join('/'))?.get(key);
    return value !== undefined && (await accept(value)) ? value : undefined;
  }

  deliverSlot(path: string, key: string, value: unknown): void {
    if (this.watchingSlots.has(path)) this.events.emit('slot:update', { path, key, value, verdict: () => undefined });
  }
}
