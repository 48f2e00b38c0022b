/**
 * The network of the mesh simulation: the in-memory transport (memory-network.ts) on a virtual clock,
 * with the conditions of a real network drawn from a seed: data links with a latency and a loss of
 * their own (per pair of nodes), and a latency from each node to the signaling server and the
 * rendezvous relay. A lost frame is sent again after `retransmitMs`, and the frames behind it wait for
 * it, as on a WebRTC data channel.
 */
import type { RendezvousFactory } from '../../core/discovery/rendezvous';
import type { SignalingFactory } from '../../core/signaling/signaling';
import { MemoryNetwork, type MemoryLink } from './memory-network';
import { MemoryRendezvous } from './memory-rendezvous';
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

interface LinkConditions {
  latencyMs: number;
  loss: number;
}

export class SimNetwork extends MemoryNetwork {
  private readonly numbers = new Map<string, number>();
  private readonly pairs = new Map<string, LinkConditions>();
  private readonly serverLatency = new Map<string, number>();
  private readonly losses: SeededRandom;

  constructor(
    override readonly clock: VirtualClock,
    private readonly seed: number,
    private readonly conditions: NetworkConditions = DEFAULT_CONDITIONS,
  ) {
    super(clock);
    this.losses = SeededRandom.of(seed, -1);
  }

  /** Adds node number `index` (its conditions are drawn from the seed and this number). */
  add(nodeId: string, index: number): { createSignaling: SignalingFactory; createRendezvous: RendezvousFactory } {
    this.numbers.set(nodeId, index);
    const [min, max] = this.conditions.serverLatencyMs;
    this.serverLatency.set(nodeId, SeededRandom.of(this.seed, index).between(min, max));
    return {
      createSignaling: this.createSignaling,
      createRendezvous: (options) => new MemoryRendezvous(this.store, options.relayUrls, this.latencyToServer(nodeId)),
    };
  }

  override latencyToServer(nodeId: string): number {
    return this.serverLatency.get(nodeId) ?? this.conditions.serverLatencyMs[1];
  }

  override latencyBetween(a: string, b: string): number {
    return this.between(a, b).latencyMs;
  }

  protected override lost(link: MemoryLink): boolean {
    return this.losses.next() < this.between(link.owner, link.remoteId).loss;
  }

  protected override get retransmitMs(): number {
    return this.conditions.retransmitMs;
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
