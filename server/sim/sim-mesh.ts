/**
 * Many real MeshNodes (core/node/node.ts: the product's handshake, heartbeat, dialling, rendezvous,
 * routing and blocking code) in one process, on one virtual clock, over the simulated network.
 */
import { MeshNode } from '../../core/node/node';
import { Identity } from '../../core/identity/identity';
import { loadOrCreateIdentity } from '../../core/identity/identity-store';
import { memoryNodeKeyStore } from '../../core/identity/node-key-store';
import { memoryKeyValueStore } from '../../core/lib/storage';
import { defaultSettings, type Settings } from '../../core/settings/settings';
import { VirtualClock } from './virtual-clock';
import { DEFAULT_CONDITIONS, SimNetwork, type NetworkConditions } from './sim-network';
import { HostileNode } from './hostile-node';
import { SeededRandom } from './seeded-random';
import { shareVerificationResults } from './shared-verification';

/** The settings every simulated node runs with: the product's defaults, on endpoints nothing resolves, and no tracker. */
const SIM_SETTINGS: Settings = defaultSettings({
  WXT_SIGNALING_URL: 'http://signaling.sim.test/peerjs',
  WXT_RELAY_URLS: 'http://relay.sim.test/gun',
  WXT_TRACKER_URLS: 'none',
  WXT_ROOM: 'sim',
});

export interface SimPeer {
  index: number;
  nodeId: string;
  node: MeshNode;
  identity: Identity;
  hostile: HostileNode | null;
  killed: boolean;
}

export class SimMesh {
  readonly clock = new VirtualClock();
  readonly network: SimNetwork;
  readonly peers: SimPeer[] = [];
  private readonly random: SeededRandom;

  private constructor(
    readonly seed: number,
    conditions: NetworkConditions,
  ) {
    this.network = new SimNetwork(this.clock, seed, conditions);
    this.random = SeededRandom.of(seed, -2);
  }

  /** Makes `count` nodes, each of its own user, none started yet. */
  static async create(count: number, seed: number, conditions = DEFAULT_CONDITIONS): Promise<SimMesh> {
    shareVerificationResults();
    const mesh = new SimMesh(seed, conditions);
    for (let index = 0; index < count; index++) {
      const keys = memoryNodeKeyStore();
      const stored = await loadOrCreateIdentity({ local: memoryKeyValueStore(), sync: memoryKeyValueStore(), keys });
      const identity = await Identity.fromStored(stored, keys);
      const transport = mesh.network.add(identity.nodeId, index);
      const node = new MeshNode({ identity, clock: mesh.clock, ...transport, app: 'meshdeck-sim/1', random: Math.random });
      mesh.peers.push({ index, nodeId: identity.nodeId, node, identity, hostile: null, killed: false });
    }
    return mesh;
  }

  start(peer: SimPeer): void {
    peer.node.configure(SIM_SETTINGS);
  }

  /** Kills a node the way a crash does: it goes silent, without a bye. */
  kill(peer: SimPeer): void {
    this.network.kill(peer.nodeId);
    peer.hostile?.stop();
    peer.node.stop();
    peer.killed = true;
  }

  /** Turns a running node hostile (sim/hostile-node.ts). */
  turnHostile(peer: SimPeer): void {
    peer.hostile = new HostileNode(this.network, peer.identity, SeededRandom.of(this.seed, -3, peer.index), () => this.peers.map((p) => p.nodeId));
    peer.hostile.start();
  }

  /** The honest nodes still running. */
  honest(): SimPeer[] {
    return this.peers.filter((peer) => !peer.killed && !peer.hostile);
  }

  /** Ready sessions of `peer` with nodes that are alive (it believes in a dead one until its heartbeat says otherwise). */
  readyCount(peer: SimPeer): number {
    return peer.node.readySessions().filter((session) => !this.network.isDead(session.remoteId)).length;
  }

  /** A number in [0, 1) drawn from the mesh's seed. */
  draw(): number {
    return this.random.next();
  }

  /** `count` distinct peers of `among`, drawn from the mesh's seed. */
  pick(among: readonly SimPeer[], count: number): SimPeer[] {
    return this.random.sample(among, count);
  }

  /** Route message copies `peers` sent so far (to the next hop of a path, or flooded). */
  routeCopiesSent(peers: readonly SimPeer[]): number {
    let copies = 0;
    for (const peer of peers) {
      const { directed, flooded } = peer.node.snapshot().routing;
      copies += directed + flooded;
    }
    return copies;
  }

  stop(): void {
    for (const peer of this.peers) {
      peer.hostile?.stop();
      peer.node.stop();
    }
  }
}
