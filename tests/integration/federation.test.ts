/**
 * Federated relays (server/federation.ts) against real nodes running core/ in Node: nodes on different
 * relays of one federation meet; when a relay of two goes, a node announces through the other at once,
 * and every node stays ready and discoverable. Runs inside a loopback-only network namespace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../core/node/node';
import type { LocalServer } from '../../server/local-server';
import { startFederation } from '../../server/federation';
import { startNodePeer } from '../../server/node-peer';
import { until } from '../support/until';

describe('two federated relays', () => {
  let servers: LocalServer[];
  const nodes: MeshNode[] = [];

  beforeAll(async () => {
    servers = await startFederation({ port: 0, relays: 2, signaling: 1 });
  });

  afterAll(async () => {
    for (const node of nodes) node.stop();
    await Promise.all(servers.map((server) => server.close()));
  });

  const start = async (relays: string[]) => {
    const { node } = await startNodePeer({ signalingUrl: servers[0]!.signalingUrl, relayUrls: relays, room: 'federation' });
    nodes.push(node);
    return node;
  };
  const readyWith = (node: MeshNode, other: MeshNode) => node.snapshot().peers.some((p) => p.nodeId === other.nodeId && p.state === 'ready');

  it('nodes that share no relay meet through the peered relays', async () => {
    const [r0, r1] = servers.map((server) => server.relayUrl) as [string, string];
    const a = await start([r0]);
    const b = await start([r1]);
    await until(() => readyWith(a, b) && readyWith(b, a), 15_000);
  });

  it('a relay of two killed: a node announces through the other at once, and is discovered fresh there', async () => {
    const relays = servers.map((server) => server.relayUrl);
    const c = await start(relays);
    const d = await start(relays);
    await until(() => [c, d].every((n) => n.snapshot().rendezvous.relays.every((r) => r.state === 'open')) && readyWith(c, d), 15_000);
    const killedAt = Date.now();
    await servers[1]!.close();
    // d's next announce would come within 15 s; the one made on the relay's loss comes at once.
    await until(() => (c.snapshot().discovered.find((n) => n.nodeId === d.nodeId)?.announcedAt ?? 0) >= killedAt, 4000);
    expect(d.snapshot().rendezvous.relays.find((r) => r.url === relays[1])?.state).toBe('closed');
    expect(readyWith(c, d) && readyWith(d, c)).toBe(true);
  });
});

describe('two PeerJS servers', () => {
  let servers: LocalServer[];
  const nodes: MeshNode[] = [];

  beforeAll(async () => {
    // Server 0: relay and PeerJS; server 1: PeerJS alone, the first endpoint of every node.
    servers = await startFederation({ port: 0, relays: 1, signaling: 2 });
  });

  afterAll(async () => {
    for (const node of nodes) node.stop();
    await Promise.all(servers.map((server) => server.close()));
  });

  const start = async () => {
    const [s0, s1] = servers as [LocalServer, LocalServer];
    const { node } = await startNodePeer({ signalingUrl: s1.signalingUrl, backupSignalingUrls: [s0.signalingUrl], relayUrls: [s0.relayUrl], room: 'endpoints' });
    nodes.push(node);
    return node;
  };
  const readyWith = (node: MeshNode, other: MeshNode) => node.snapshot().peers.some((p) => p.nodeId === other.nodeId && p.state === 'ready');

  it('a node registers on both, and when the first is killed it is still reached through the other', async () => {
    const a = await start();
    const b = await start();
    await until(() => readyWith(a, b) && readyWith(b, a), 15_000);
    expect(a.snapshot().signaling.endpoints.map((e) => e.state)).toEqual(['open', 'open']);
    await servers[1]!.close();
    await until(() => a.snapshot().signaling.endpoints[0]?.state !== 'open', 5000);
    // The node says so in its record at once: a dialler picks the endpoint left.
    const c = await start();
    await until(() => readyWith(c, a) && readyWith(c, b), 10_000);
    expect(c.snapshot().peers.every((p) => p.path === 'peerjs')).toBe(true);
    expect(a.snapshot().signaling.state).toBe('open');
  });
});
