/**
 * PeerJS signaling against the real server: a node whose ID the server still holds (a reload before
 * the old socket timed out) waits and retries under its own ID, never a random one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdentity } from '../support/identities';
import type { MeshNode } from '../../core/node/node';
import { peerServerOptions } from '../../core/signaling/peer-server-options';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { startNodePeer } from '../../server/node-peer';
import { installNodeWebRTC } from '../../server/node-webrtc';
import { until } from '../support/until';

describe('signaling registration', () => {
  let server: LocalServer;
  let node: MeshNode | null = null;

  beforeAll(async () => {
    server = await startLocalServer({ port: 0 });
  });
  afterAll(async () => {
    node?.stop();
    await server.close();
  });

  it('retries a held node ID with backoff until the server frees it, keeping its own ID', async () => {
    installNodeWebRTC();
    const { Peer } = await import('../../core/signaling/peerjs');
    const { stored, keys, identity } = await makeIdentity();
    const nodeId = identity.nodeId;
    // The "old socket": another client registered under the node's ID.
    const holder = new Peer(nodeId, { ...peerServerOptions(server.signalingUrl), key: 'peerjs', debug: 0 });
    await new Promise<void>((resolve, reject) => {
      holder.once('open', () => resolve());
      holder.once('error', reject);
    });

    ({ node } = await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl], identity: { stored, keys } }));
    const current = node;
    await until(() => current.snapshot().signaling.attempts >= 2, 5000);
    expect(current.snapshot().signaling.lastError).toMatch(/holds this node ID/);
    expect(current.snapshot().signaling.state).not.toBe('open');

    holder.destroy();
    await until(() => current.snapshot().signaling.state === 'open', 10_000);
    expect(current.snapshot().nodeId).toBe(nodeId);
    expect(current.snapshot().signaling.attempts).toBe(0);
  });

  it('stop signaling keeps the open connection; resume registers again under the same ID', async () => {
    const { node: a, settings } = await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl], room: 'stop' });
    const { node: b } = await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl], room: 'stop' });
    try {
      await until(() => a.snapshot().totals.peers === 1 && b.snapshot().totals.peers === 1, 10_000);
      a.configure({ ...settings, signalingStop: { until: null } });
      expect(a.snapshot().signaling.state).toBe('stopped');
      // Longer than the heartbeat takes to declare a silent peer dead (3.5 s at most): the connection
      // really carried on, it was not merely not judged yet.
      await new Promise((r) => setTimeout(r, 5000));
      expect(a.snapshot().totals.peers).toBe(1);
      expect(b.snapshot().peers[0]?.state).toBe('ready');
      a.configure({ ...settings, signalingStop: null });
      await until(() => a.snapshot().signaling.state === 'open', 5000);
      expect(a.snapshot().totals.peers).toBe(1);
    } finally {
      a.stop();
      b.stop();
    }
  });

  it('re-registers after the server restarts, keeping its connections', async () => {
    const port = server.port;
    const { node: a } = await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl], room: 'restart' });
    const { node: b } = await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl], room: 'restart' });
    try {
      await until(() => a.snapshot().totals.peers === 1, 10_000);
      await server.close();
      await until(() => a.snapshot().signaling.state !== 'open', 5000);
      server = await startLocalServer({ port });
      await until(() => a.snapshot().signaling.state === 'open' && b.snapshot().signaling.state === 'open', 20_000);
      expect(a.snapshot().totals.peers).toBe(1);
    } finally {
      a.stop();
      b.stop();
    }
  }, 40_000);
});
