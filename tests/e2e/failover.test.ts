/**
 * The extension in real Chromium on two federated servers (server/federation.ts: two GUN relays that
 * peer, two PeerJS servers), with Node peers running core/. One relay and one PeerJS server are
 * killed (the first of each, one server process): the connections stay, and a node that joins after
 * it is ready with the extension through the relay and the PeerJS server left.
 */
import type { Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../core/node/node';
import type { LocalServer } from '../../server/local-server';
import { startFederation } from '../../server/federation';
import { startNodePeer } from '../../server/node-peer';
import { launchExtensionBrowser, request, type ExtensionBrowser } from '../support/extension-browser';
import { until } from '../support/until';

describe('failover between two relays and two PeerJS servers', () => {
  let servers: LocalServer[];
  let browser: ExtensionBrowser;
  let popup: Page;
  const peers: MeshNode[] = [];

  const startPeer = async () => {
    const [s0, s1] = servers as [LocalServer, LocalServer];
    const { node } = await startNodePeer({ signalingUrl: s0.signalingUrl, backupSignalingUrls: [s1.signalingUrl], relayUrls: [s0.relayUrl, s1.relayUrl] });
    peers.push(node);
    return node;
  };
  const readyWith = (nodeId: string) => (s: { peers: { nodeId: string; state: string }[] }) => s.peers.some((p) => p.nodeId === nodeId && p.state === 'ready');

  beforeAll(async () => {
    // The extension's test build starts on port 9000: the first server.
    servers = await startFederation({ port: 9000, relays: 2, signaling: 2 });
    browser = await launchExtensionBrowser();
    popup = await browser.browser.newPage();
    await popup.goto(`chrome-extension://${browser.extensionId}/popup.html`);
    const [s0, s1] = servers as [LocalServer, LocalServer];
    await request(popup, { type: 'settings:update', patch: { backupSignalingUrls: [s1.signalingUrl], relayUrls: [s0.relayUrl, s1.relayUrl] } });
  });

  afterAll(async () => {
    for (const peer of peers) peer.stop();
    await browser?.close();
    await Promise.all((servers ?? []).map((server) => server.close()));
  });

  it('registers on both servers and reads both relays', async () => {
    const peer = await startPeer();
    const snapshot = await until(
      () => browser.snapshot(),
      20_000,
      'both endpoints and both relays open, the peer ready',
      (s) => s.signaling.endpoints.length === 2 && s.signaling.endpoints.every((e) => e.state === 'open') && s.rendezvous.relays.every((r) => r.state === 'open') && readyWith(peer.nodeId)(s),
    );
    expect(snapshot.rendezvous.relays).toHaveLength(2);
  });

  it('with the first relay and PeerJS server killed, connections stay and a newcomer is ready within 10 s', async () => {
    await servers[0]!.close();
    const after = await until(() => browser.snapshot(), 10_000, 'the first server seen gone', (s) => s.signaling.endpoints[0]?.state !== 'open');
    expect(after.signaling.state).toBe('open');
    expect(readyWith(peers[0]!.nodeId)(after)).toBe(true);
    const newcomer = await startPeer();
    const snapshot = await until(() => browser.snapshot(), 10_000, 'the newcomer ready with the extension', readyWith(newcomer.nodeId));
    expect(snapshot.peers.find((p) => p.nodeId === newcomer.nodeId)?.path).toBe('peerjs');
  });
});
