/**
 * Meeting through the WebTorrent tracker (core/signaling/tracker-signaling.ts) against the real
 * `bittorrent-tracker` server of the local server, with no PeerJS server and no relay up: two fresh
 * nodes become ready peers through it, over @roamhq/wrtc, and a stranger's junk on the swarm is refused
 * without harm. Runs inside a loopback-only network namespace.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../core/node/node';
import { roomInfoHash } from '../../core/signaling/tracker-signaling';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { startNodePeer } from '../../server/node-peer';
import { until } from '../support/until';

const ROOM = 'tracker';
/** Loopback ports nothing listens on: the PeerJS server and the relay are down. */
const DEAD_SIGNALING = 'http://127.0.0.1:9/peerjs';
const DEAD_RELAY = 'http://127.0.0.1:9/gun';

describe('meeting through the tracker, with the PeerJS server and the relays down', () => {
  let server: LocalServer;
  let a: MeshNode;
  let b: MeshNode;

  beforeAll(async () => {
    server = await startLocalServer({ port: 0, signaling: false, relay: false });
    const start = async () => (await startNodePeer({ signalingUrl: DEAD_SIGNALING, relayUrls: [DEAD_RELAY], trackerUrls: [server.trackerUrl], room: ROOM })).node;
    a = await start();
    b = await start();
  });

  afterAll(async () => {
    a?.stop();
    b?.stop();
    await server?.close();
  });

  const readyWith = (node: MeshNode, other: MeshNode) => node.snapshot().peers.find((p) => p.nodeId === other.nodeId && p.state === 'ready');
  const tracker = (node: MeshNode) => node.snapshot().signaling.fallbacks.find((f) => f.path === 'tracker');

  it('two fresh nodes become ready peers through the tracker, and say so', async () => {
    await until(() => Boolean(readyWith(a, b) && readyWith(b, a)), 20_000);
    for (const [node, other] of [[a, b], [b, a]] as const) {
      expect(node.snapshot().signaling.state).not.toBe('open');
      expect(tracker(node)).toEqual(expect.objectContaining({ state: 'open' }));
      expect(readyWith(node, other)?.path).toBe('tracker');
      expect(readyWith(node, other)?.userId).toMatch(/^u[a-z2-7]{26}$/);
    }
    // One connection between them, whoever's offer the tracker handed over first.
    expect(a.snapshot().peers.filter((p) => p.nodeId === b.nodeId)).toHaveLength(1);
    await until(() => readyWith(a, b)?.rttMs != null, 8000);
  });

  it('refuses malformed offers from a stranger on the swarm and keeps its peer', async () => {
    const before = tracker(a)!.refused + tracker(b)!.refused;
    const infoHash = await roomInfoHash(ROOM);
    const stranger = new WebSocket(server.trackerUrl);
    await new Promise((resolve, reject) => {
      stranger.once('open', resolve);
      stranger.once('error', reject);
    });
    const offer = (body: unknown, i: number) => ({ offer_id: `junk-offer-${String(i).padStart(10, '0')}`, offer: body });
    const junk = [
      { type: 'offer', sdp: 'v=0', from: 'not a node id' },
      { type: 'offer', from: a.nodeId },
      { type: 'offer', sdp: 'x'.repeat(30_000), from: 'nabcdefghijklmnopqrstuvwxyz' },
      'a string',
    ];
    stranger.send(JSON.stringify({ action: 'announce', info_hash: infoHash, peer_id: 'stranger-peer-id-000', numwant: junk.length, left: 0, offers: junk.map(offer) }));
    await until(() => tracker(a)!.refused + tracker(b)!.refused >= before + 2, 8000);
    stranger.close();
    expect(readyWith(a, b)).toBeTruthy();
    expect(a.snapshot().peers).toHaveLength(1);
  });

  it('sets up no second connection to a node it holds, while both keep announcing offers', async () => {
    // maxPeers is 8: with one peer each still wants more, so both keep offers out (ANNOUNCE_MS).
    const beforeSetUp = tracker(a)!.setUp + tracker(b)!.setUp;
    await new Promise((resolve) => setTimeout(resolve, 6000));
    // Each ignores the other's offers: it holds a connection to it.
    expect(a.snapshot().peers.filter((p) => p.nodeId === b.nodeId)).toHaveLength(1);
    expect(tracker(a)!.setUp + tracker(b)!.setUp).toBe(beforeSetUp);
  });
});
