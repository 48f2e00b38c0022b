/**
 * core/ under Node against the real local server (PeerJS + GUN relay): the same node the extension
 * runs, over @roamhq/wrtc. Runs inside a loopback-only network namespace (scripts/test.mjs).
 */
import { describeClose } from '../../core/session/close-reason';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../core/node/node';
import { defaultSettings } from '../../core/settings/settings';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { startNodePeer } from '../../server/node-peer';
import { sendForgedHello } from '../support/forged-peer';
import { until } from '../support/until';

describe('node over the real PeerJS server and GUN relay', () => {
  let server: LocalServer;
  const nodes: MeshNode[] = [];

  beforeAll(async () => {
    server = await startLocalServer({ port: 0 });
    for (let i = 0; i < 3; i++) {
      const { node } = await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl], room: 'integration' });
      nodes.push(node);
    }
  });

  afterAll(async () => {
    for (const node of nodes) node.stop();
    await server?.close();
  });

  const ready = (node: MeshNode) => node.snapshot().totals.peers;

  it('three nodes find each other through GUN and become authenticated peers', async () => {
    // Ready with both and holding both records: a node dialled first may read its dialler's record later.
    await until(() => nodes.every((n) => ready(n) === 2 && n.snapshot().rendezvous.valid >= 2), 15_000);
    for (const node of nodes) {
      const snapshot = node.snapshot();
      expect(snapshot.signaling.state).toBe('open');
      expect(snapshot.rendezvous.relays[0]?.state).toBe('open');
      expect(snapshot.rendezvous.valid).toBeGreaterThanOrEqual(2);
      for (const peer of snapshot.peers) expect(peer.userId).toMatch(/^u[a-z2-7]{26}$/);
    }
  });

  it('heartbeats measure round trips and score strength', async () => {
    await until(() => nodes.every((n) => n.snapshot().peers.every((p) => p.rttMs !== null)), 8000);
    for (const peer of nodes[0]!.snapshot().peers) expect(peer.strength).toBeGreaterThan(0);
  });

  it('a disabled node is dropped by the others at once and found again when enabled', async () => {
    const [a, b, c] = nodes as [MeshNode, MeshNode, MeshNode];
    const settings = { ...defaultSettings(), signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl], room: 'integration' };
    a.configure({ ...settings, enabled: false });
    await until(() => ready(b) === 1 && ready(c) === 1, 6000);
    // At once means by a's bye, not by heartbeat: the others say why they dropped it.
    for (const other of [b, c]) {
      expect(other.snapshot().closedPeers.find((p) => p.nodeId === a.nodeId)?.reason).toBe(describeClose('remote:shutdown'));
    }
    a.configure(settings);
    await until(() => nodes.every((n) => ready(n) === 2), 10_000);
  });

  it('refuses a peer whose hello carries a node ID not derived from its key', async () => {
    const target = nodes[0]!;
    const before = target.snapshot().totals.handshakesRefused;
    const result = await sendForgedHello(server.signalingUrl, target.nodeId);
    expect(result.closed).toBe(true);
    expect(result.received.map((f) => JSON.parse(f).t)).toEqual(['hello']);
    await until(() => target.snapshot().totals.handshakesRefused === before + 1, 2000);
  });
});
