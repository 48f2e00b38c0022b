/**
 * What a hostile node of the simulation does on top of an honest MeshNode (which lets it pass the
 * handshake and keep its sessions): it swallows every route message it should forward and answers it
 * with a forged pong, floods its neighbours with junk route messages and signed broadcasts, and writes
 * junk, forged and inflated records to the rendezvous. None of it needs a key it does not hold.
 */
import { canonical, randomBytes, toBase64Url } from '../../core/lib/encoding';
import type { Identity } from '../../core/identity/identity';
import { MAX_TTL } from '../../core/routing/mesh-router';
import { ANNOUNCE_INTERVAL_MS, MAX_NEIGHBORS, signRecord, type NodeRecord } from '../../core/discovery/rendezvous-record';
import { TimerGroup } from '../../core/lib/clock';
import type { RoutedMessage } from '../../core/session/wire';
import type { MemoryLink } from './memory-network';
import type { SimNetwork } from './sim-network';
import type { SeededRandom } from './seeded-random';

/** Junk route messages sent to each neighbour per flood tick (forged sources, broken signatures). */
const JUNK_PER_TICK = 2;
const FLOOD_TICK_MS = 250;
/** Signed broadcasts of its own a second: each is forwarded by every honest node once (amplification). */
const BROADCAST_EVERY_MS = 1000;

export class HostileNode {
  readonly counters = { swallowed: 0, forgedPongs: 0, junkSent: 0, broadcasts: 0, junkRecords: 0 };
  private readonly timers: TimerGroup;

  constructor(
    private readonly network: SimNetwork,
    private readonly identity: Identity,
    private readonly random: SeededRandom,
    /** Node IDs of the room, for forged sources and inflated records. */
    private readonly roomIds: () => string[],
  ) {
    this.timers = new TimerGroup(network.clock);
  }

  start(): void {
    this.network.intercept(this.identity.nodeId, (frame, link) => this.onFrame(frame, link));
    this.timers.interval(() => this.flood(), FLOOD_TICK_MS);
    this.timers.interval(() => void this.broadcast(), BROADCAST_EVERY_MS);
    this.timers.interval(() => void this.writeJunkRecords(), ANNOUNCE_INTERVAL_MS);
    void this.writeJunkRecords();
  }

  stop(): void {
    this.timers.clear();
  }

  /** Swallows route messages for others and answers each with a pong that claims to be from its destination. */
  private onFrame(frame: string, link: MemoryLink): boolean {
    let message: Partial<RoutedMessage>;
    try {
      message = JSON.parse(frame) as Partial<RoutedMessage>;
    } catch {
      return false;
    }
    if (message.t !== 'route' || message.dst === this.identity.nodeId || typeof message.src !== 'string' || typeof message.dst !== 'string') return false;
    this.counters.swallowed++;
    if (message.dst !== '*' && message.body?.k === 'ping') {
      const forged: RoutedMessage = {
        t: 'route',
        id: toBase64Url(randomBytes(12)),
        src: message.dst,
        dst: message.src,
        ttl: MAX_TTL - 1,
        path: [message.dst, this.identity.nodeId],
        body: { k: 'pong', ts: message.body.ts, path: [message.src, this.identity.nodeId, message.dst] },
        sig: toBase64Url(randomBytes(64)),
      };
      this.counters.forgedPongs++;
      this.sendOn(link, forged);
    }
    return true;
  }

  private flood(): void {
    const ids = this.roomIds();
    for (const link of this.network.linksOf(this.identity.nodeId)) {
      for (let i = 0; i < JUNK_PER_TICK; i++) {
        const src = ids[Math.floor(this.random.next() * ids.length)] ?? this.identity.nodeId;
        const junk: RoutedMessage = {
          t: 'route',
          id: toBase64Url(randomBytes(12)),
          src,
          dst: '*',
          ttl: MAX_TTL - 1,
          path: [src, this.identity.nodeId],
          body: { k: 'junk', pad: toBase64Url(randomBytes(48)) },
          sig: toBase64Url(randomBytes(64)),
        };
        this.counters.junkSent++;
        this.sendOn(link, junk);
      }
    }
  }

  private async broadcast(): Promise<void> {
    const id = toBase64Url(randomBytes(12));
    const body = { k: 'junk', pad: toBase64Url(randomBytes(48)) };
    const src = this.identity.nodeId;
    const sig = await this.identity.sign(canonical({ id, src, dst: '*', body }));
    const message: RoutedMessage = { t: 'route', id, src, dst: '*', ttl: MAX_TTL, path: [src], body, sig };
    this.counters.broadcasts++;
    for (const link of this.network.linksOf(src)) this.sendOn(link, message);
  }

  /**
   * Each announce period: a record that is not one, a copy of an honest record with its neighbours
   * changed (its signature no longer holds), and its own record, signed, claiming every node it can
   * name as a neighbour (to pull routes through itself).
   */
  private async writeJunkRecords(): Promise<void> {
    const { store } = this.network;
    const ids = this.roomIds();
    store.put(`junk-${this.identity.nodeId}`, { id: 'not a node', neighbors: 42, ts: 'soon' });
    const victim = ids[Math.floor(this.random.next() * ids.length)];
    const genuine = victim ? (store.records.get(victim) as NodeRecord | undefined) : undefined;
    if (genuine) store.put(genuine.id, { ...genuine, neighbors: JSON.stringify([this.identity.nodeId]), ts: genuine.ts + 1 });
    const claimed = this.random.sample(ids.filter((id) => id !== this.identity.nodeId), MAX_NEIGHBORS);
    const inflated = await signRecord(this.identity, { signal: ['http://signaling.sim.test/peerjs'], routing: true, neighbors: claimed }, this.network.clock.now());
    store.put(inflated.id, inflated);
    this.counters.junkRecords += genuine ? 3 : 2;
  }

  private sendOn(link: MemoryLink, message: RoutedMessage): void {
    if (link.isOpen) link.send(JSON.stringify(message));
  }
}
