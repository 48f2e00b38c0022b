/**
 * The rendezvous mesh on GUN relays: node records live at
 * `meshdeck/v1/<room>/nodes/<nodeId>` (docs/protocol.md). GUN only moves the records; the node verifies them.
 * Paired browsers' sealed block lists live at `meshdeck/v1/shared/<channel>/<nodeId>`; the fallback
 * signaling's box keys and sealed signals in the room's slots (`meshdeck/v1/<room>/boxes|signals/…`).
 */
import Gun from 'gun/gun';
import { Backoff } from '../lib/backoff';
import { TimerGroup } from '../lib/clock';
import { Emitter } from '../lib/events';
import { isRecord } from '../lib/is-record';
import type { NodeRecord } from './rendezvous-record';
import { screenGunInput, type GunMeshLike } from './gun-input-screen';
import { watchNotFound } from './gun-not-found';
import { ChildReader, type ReaderChain } from './child-reader';
import { snapshotChild } from './child-reading';
import { allFamilies, type ChildFamily } from './graph-families';
import type { Rendezvous, RendezvousEvents, RendezvousFactory, RendezvousOptions, Verdict } from './rendezvous';

export const createGunRendezvous: RendezvousFactory = (options) => new GunRendezvous(options);

const sharedSoul = (channel: string): string => `meshdeck/v1/shared/${channel}`;

/** The slice of GUN's untyped chain API used here. */
interface GunChain {
  get(key: string): GunChain;
  /** A chain as the value writes a link to its soul. */
  put(value: object, ack?: (ack: { err?: unknown; ok?: unknown }) => void): GunChain;
  map(): GunChain;
  on(callback: (data: unknown, key: string) => void): GunChain;
  once(callback: (data: unknown, key: string) => void): GunChain;
  off(): void;
  back(path: string): unknown;
}
interface GunRoot extends GunChain {
  on(event: 'hi' | 'bye', callback: (peer: { url?: string }) => void): GunChain;
  on(callback: (data: unknown, key: string) => void): GunChain;
}
interface GunPeer {
  id: string;
  url: string;
  wire?: { readyState: number; close(): void } | null;
  defer?: ReturnType<typeof setTimeout>;
}
interface GunMesh extends GunMeshLike {
  bye(peer: unknown): void;
  /** Opens a websocket to `peer` (GUN's websocket adapter). */
  wire(peer: GunPeer): void;
}

/**
 * GUN forgets a relay after one failed reconnect: its 'bye' handler deletes the peer, and its retry
 * timer then finds no peer and gives up (gun 0.2020.1241, lib/websocket in gun.js). So a relay that
 * went away and came back stays detached; we re-attach it ourselves with backoff.
 */
const REATTACH_BACKOFF = { baseMs: 1000, capMs: 30_000 };
const WEBSOCKET_OPEN = 1;
/** A write no relay acknowledged within this long is written again, up to WRITE_ATTEMPTS in all. */
const WRITE_ACK_MS = 2000;
const WRITE_ATTEMPTS = 3;
type GunFactory = (options: Record<string, unknown>) => GunRoot;
/** Children written lately that the node lets answers in for (signal slots of the peers it dials, its own box key…). */
const WRITTEN_KEPT = 256;
/** Values one slot read checks at most (readSlot's `accept`). */
const SLOT_READ_CHECKS = 8;

/** A GUN client of the relays: records live on the relays only (nothing persisted here, no multicast, no AXE routing). */
export function gunClientOptions(relayUrls: string[]): Record<string, unknown> {
  return {
    peers: relayUrls,
    localStorage: false,
    radisk: false,
    // In Node, a relay loaded in the same process registers its storage plugins on every instance.
    rfs: false,
    file: false,
    axe: false,
    multicast: false,
    WebSocket: globalThis.WebSocket,
  };
}

class GunRendezvous implements Rendezvous {
  readonly events = new Emitter<RendezvousEvents>();
  private gun: GunRoot | null = null;
  private nodes: GunChain | null = null;
  /** The room's node records' reader, and every other parent's being read (slots, the shared channel). */
  private reader: ChildReader | null = null;
  private readonly readers = new Set<ChildReader>();
  private readonly families = allFamilies();
  private readonly timers: TimerGroup;
  private readonly reattach = new Map<string, { backoff: Backoff; timer: unknown }>();
  /** Child soul → the timer that writes it again unless a relay acknowledged its last write (putAcked). */
  private readonly unacked = new Map<string, unknown>();
  private shared: { channel: string; reader: ChildReader } | null = null;
  /** Watched slot paths (joined with "/") and their readers. */
  private readonly slots = new Map<string, ChildReader>();
  /**
   * The WRITTEN_KEPT souls this node wrote last (children, their parents, the ancestors it links): GUN
   * asks the relays about what it writes, and their answer must get in (graph-screen.ts lets into a node
   * only what it reads or writes).
   */
  private readonly writing = new Set<string>();
  /** Slot reads still waiting for a relay (how to end each → its soul): each holds a timer and a subscription, released by stop(). */
  private readonly reads = new Map<() => void, string>();

  constructor(private readonly options: RendezvousOptions) {
    this.timers = new TimerGroup(options.clock);
  }

  start(): void {
    if (this.gun) return;
    const gun = (Gun as unknown as GunFactory)(gunClientOptions(this.options.relayUrls));
    this.gun = gun;
    const mesh = gun.back('opt.mesh') as GunMesh | undefined;
    if (!mesh) throw new Error('GUN has no mesh: its websocket adapter is not loaded');
    screenGunInput(mesh, () => this.options.clock.now(), (refused) => {
      if (this.gun !== gun) return;
      for (const { soul } of refused) for (const reader of this.readers) reader.refused(soul);
      const records = refused.filter((r) => r.family === 'records').map((r) => r.child);
      if (records.length) this.events.emit('records:refused', records);
    }, this.families, {
      reading: (soul) => this.gun === gun && (this.writesOrReadsSlot(soul) || [...this.readers].some((reader) => reader.reads(soul))),
      chunks: (soul) => this.gun === gun && (this.writesOrReadsSlot(soul) || [...this.readers].some((reader) => reader.fetches(soul) || reader.watches(soul))),
    });
    watchNotFound(mesh, (soul) => [...this.readers].some((reader) => reader.fetches(soul)), (soul) => {
      if (this.gun === gun) for (const reader of this.readers) reader.notFound(soul);
    });
    gun.on('hi', (peer) => {
      if (!peer.url) return;
      this.cancelReattach(peer.url);
      this.relayState(peer.url, 'open');
    });
    gun.on('bye', (peer) => {
      if (!peer.url || this.gun !== gun) return;
      this.relayState(peer.url, 'closed');
      this.scheduleReattach(peer.url);
    });
    // Every parent by its soul, never by following links from `meshdeck/v1` down: one forged link in an
    // ancestor would otherwise move the node to a room of a stranger's choosing (graph-screen.ts).
    this.nodes = gun.get(this.roomSoul(['nodes']));
    this.reader = this.startReader(gun, this.roomSoul(['nodes']), this.nodes, (_key, value, verdict) => this.events.emit('record:update', { value, verdict }));
  }

  /** Whether `soul` is one this node wrote lately (or its parent), or a slot read waits on. */
  private writesOrReadsSlot(soul: string): boolean {
    return this.writing.has(soul) || [...this.reads.values()].includes(soul);
  }

  /** Reads the children of `parent` (a soul of a family in graph-families.ts) until stopReader(). */
  private startReader(gun: GunRoot, parentSoul: string, parent: GunChain, onChild: (key: string, data: Record<string, unknown>, verdict: Verdict) => void): ChildReader {
    const family: ChildFamily | undefined = this.families.find((f) => f.isParent(parentSoul));
    if (!family) throw new Error(`no family of GUN souls has ${parentSoul} for a parent`);
    const reader = new ChildReader({
      family,
      parentSoul,
      parent: parent as ReaderChain,
      chainOf: (soul) => gun.get(soul),
      timers: this.timers,
      now: () => this.options.clock.now(),
      monotonic: () => this.options.clock.monotonic(),
      knows: (nodeId) => this.options.knows?.(nodeId) ?? false,
      onChild: (key, data) =>
        new Promise<boolean>((resolve) => {
          // A reader stopped meanwhile has no consumer left to answer: its fetches have ended.
          if (this.gun !== gun || !this.readers.has(reader)) return resolve(true);
          onChild(key, data, resolve);
        }),
      forgetChild: (soul) => {
        delete (gun as unknown as { _: { graph: Record<string, unknown> } })._.graph[soul];
      },
      forgetLink: (key) => {
        const held = (gun as unknown as { _: { graph: Record<string, Record<string, unknown> | undefined> } })._.graph[parentSoul];
        if (!held) return;
        delete held[key];
        const states = (held._ as { '>'?: Record<string, unknown> } | undefined)?.['>'];
        if (states) delete states[key];
      },
    });
    this.readers.add(reader);
    reader.start();
    return reader;
  }

  private stopReader(reader: ChildReader | null | undefined): void {
    if (!reader) return;
    reader.stop();
    this.readers.delete(reader);
  }

  private relayState(url: string, state: 'open' | 'closed'): void {
    if (this.gun) this.events.emit('relay:state', { url, state });
  }

  private scheduleReattach(url: string): void {
    let entry = this.reattach.get(url);
    if (!entry) this.reattach.set(url, (entry = { backoff: new Backoff(REATTACH_BACKOFF), timer: null }));
    if (entry.timer !== null) return;
    entry.timer = this.timers.timeout(() => {
      entry.timer = null;
      this.attach(url);
    }, entry.backoff.next());
  }

  private cancelReattach(url: string): void {
    const entry = this.reattach.get(url);
    if (entry?.timer != null) this.timers.cancel(entry.timer);
    this.reattach.delete(url);
  }

  /** Puts the relay back in GUN's peer table and opens a socket, unless one is already open. */
  private attach(url: string): void {
    const gun = this.gun;
    if (!gun) return;
    const mesh = gun.back('opt.mesh') as GunMesh | undefined;
    const peers = gun.back('opt.peers') as Record<string, GunPeer> | undefined;
    if (!mesh || !peers) return;
    const peer = (peers[url] ??= { id: url, url });
    if (peer.wire && peer.wire.readyState <= WEBSOCKET_OPEN) return;
    clearTimeout(peer.defer);
    mesh.wire(peer);
    // If this attempt fails GUN says 'bye' again, which schedules the next one.
  }

  announce(record: NodeRecord): void {
    const nodes = this.nodes;
    if (!nodes) return;
    this.linkAncestors();
    this.putAcked(`${this.roomSoul(['nodes'])}/${record.id}`, () => (this.nodes === nodes ? nodes.get(record.id) : null), { ...record });
  }

  /**
   * Writes a child, and writes it again if no relay acknowledged it within WRITE_ACK_MS, up to
   * WRITE_ATTEMPTS in all (a newer write of the same child replaces the retry). GUN drops a put made
   * while its socket to a relay is not yet usable, as at start-up or after a record storm, and a stock
   * relay loses some: a box key written at start-up was missing from the relay until its rewrite 15 s
   * later, and every GUN-signaled dial to that node failed meanwhile. `chain` gives the GUN chain to
   * write through at each attempt, or null once the instance it belonged to is gone.
   */
  private putAcked(childSoul: string, chain: () => GunChain | null | undefined, value: object, write = { attempt: 1, acked: false }): void {
    const retry = this.unacked.get(childSoul);
    if (retry !== undefined) this.timers.cancel(retry);
    this.unacked.delete(childSoul);
    const target = chain();
    if (!target) return;
    if (write.attempt < WRITE_ATTEMPTS) {
      this.unacked.set(
        childSoul,
        this.timers.timeout(() => {
          this.unacked.delete(childSoul);
          if (write.acked) return;
          write.attempt++;
          this.putAcked(childSoul, chain, value, write);
        }, WRITE_ACK_MS),
      );
    }
    this.wrote(childSoul);
    // One flag for every attempt of this write: an ack of an earlier attempt that came late counts.
    target.put({ ...value }, (ack) => {
      if (!ack.err) write.acked = true;
    });
  }

  /**
   * Links `meshdeck/v1` → room → `nodes` by their canonical souls, as a chain's put would: readers that
   * follow the chain (docs/protocol-v2.md writes it `gun.get("meshdeck/v1").get(room).get("nodes")`)
   * find this node's record. Written with every announce, so a link a stranger moved is moved back.
   */
  private linkAncestors(): void {
    const gun = this.gun;
    if (!gun) return;
    this.wrote(this.roomSoul([]));
    this.wrote(this.roomSoul(['nodes']));
    gun.get('meshdeck/v1').get(this.options.room).put(gun.get(this.roomSoul([])));
    gun.get(this.roomSoul([])).get('nodes').put(gun.get(this.roomSoul(['nodes'])));
  }

  share(channel: string, key: string, value: Record<string, string | number>): void {
    const gun = this.gun;
    this.putAcked(`${sharedSoul(channel)}/${key}`, () => (this.gun === gun ? gun?.get(sharedSoul(channel)).get(key) : null), value);
  }

  watchShared(channel: string | null): void {
    const gun = this.gun;
    if (this.shared?.channel === channel) return;
    this.stopReader(this.shared?.reader);
    this.shared = null;
    if (!gun || !channel) return;
    const reader = this.startReader(gun, sharedSoul(channel), gun.get(sharedSoul(channel)), (_key, value, verdict) => this.events.emit('shared:update', { channel, value, verdict }));
    this.shared = { channel, reader };
  }

  /** The soul of a slot of this room: `meshdeck/v1/<room>/<path…>`. */
  private roomSoul(path: readonly string[]): string {
    return ['meshdeck/v1', this.options.room, ...path].join('/');
  }

  putSlot(path: readonly string[], key: string, value: Record<string, string | number>): void {
    const gun = this.gun;
    this.putAcked(`${this.roomSoul(path)}/${key}`, () => (this.gun === gun ? gun?.get(this.roomSoul(path)).get(key) : null), value);
  }

  /** A child written, with the parent GUN resolves it through. */
  private wrote(childSoul: string): void {
    for (const soul of [childSoul.slice(0, childSoul.lastIndexOf('/')), childSoul]) {
      this.writing.delete(soul);
      this.writing.add(soul);
    }
    while (this.writing.size > WRITTEN_KEPT) this.writing.delete(this.writing.keys().next().value!);
  }

  watchSlots(path: readonly string[]): void {
    const gun = this.gun;
    const joined = path.join('/');
    if (!gun || this.slots.has(joined)) return;
    const reader = this.startReader(gun, this.roomSoul(path), gun.get(this.roomSoul(path)), (key, value, verdict) =>
      this.events.emit('slot:update', { path: joined, key, value, verdict }),
    );
    this.slots.set(joined, reader);
  }

  unwatchSlots(path: readonly string[]): void {
    const joined = path.join('/');
    this.stopReader(this.slots.get(joined));
    this.slots.delete(joined);
  }

  readSlot(path: readonly string[], key: string, ms: number, accept: (value: unknown) => Promise<boolean> = async () => true): Promise<unknown> {
    const gun = this.gun;
    if (!gun) return Promise.resolve(undefined);
    const parentSoul = this.roomSoul(path);
    const family = this.families.find((f) => f.isParent(parentSoul));
    const soul = `${parentSoul}/${key}`;
    return new Promise((resolve) => {
      const chain = gun.get(soul);
      let settled = false;
      const settle = (value: unknown): void => {
        if (settled) return;
        settled = true;
        this.reads.delete(cancel);
        this.timers.cancel(timer);
        chain.off();
        resolve(value);
      };
      const cancel = (): void => settle(undefined);
      const timer = this.timers.timeout(cancel, ms);
      this.reads.set(cancel, soul);
      // on(), not once(): once() answers undefined as soon as the local graph lacks the node, before
      // a relay has had the chance to send it. GUN answers first from its own graph, which may hold a
      // copy read long ago (a box key gone stale): only a value its family accepts now ends the read.
      let checks = 0;
      chain.on((value) => {
        if (!isRecord(value) || !family || !family.accepts(value, key, parentSoul, this.options.clock.now())) return;
        // Each check may cost a signature: a relay sending forgery after forgery gets a few, not one each.
        if (++checks > SLOT_READ_CHECKS) return;
        // A copy: GUN merges later writes into the object it handed over, and the check awaits.
        const child = snapshotChild(value, family.fields);
        void accept(child).then((ok) => ok && settle(child), () => undefined);
      });
    });
  }

  reread(): void {
    this.reader?.reread();
  }

  stop(): void {
    const gun = this.gun;
    if (!gun) return;
    this.gun = null;
    this.timers.clear();
    this.unacked.clear();
    this.reattach.clear();
    for (const reader of [...this.readers]) this.stopReader(reader);
    this.reader = null;
    this.nodes = null;
    this.shared = null;
    this.slots.clear();
    for (const cancel of [...this.reads.keys()]) cancel();
    this.writing.clear();
    // Saying bye removes each relay from GUN's peer table first, so its socket's close does not
    // schedule a reconnect.
    const mesh = gun.back('opt.mesh') as GunMesh | undefined;
    const peers = (gun.back('opt.peers') ?? {}) as Record<string, { wire?: { close(): void } | null }>;
    for (const peer of Object.values(peers)) {
      if (mesh) mesh.bye(peer);
      else peer.wire?.close();
    }
    this.events.clear();
  }
}
