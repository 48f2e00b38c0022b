/**
 * The soak test of the Firefox build: left alone for 5 minutes with 3 peers, the node in the background
 * page stays up and connected. An MV3 event page would be suspended 30 s after the last extension
 * event, open connections or not (docs/firefox.md); the MV2 persistent page must not be.
 *
 * Restarts are counted by the background itself (test builds add one to storage.local on every start),
 * not observed through a debugger: an attached DevTools toolbox stops suspension and would hide the bug.
 * The connections must be the same ones throughout: their handshake times never change (counted from
 * when they settled: two nodes that dial each other at once replace one connection a moment later).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../core/node/node';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { startNodePeer } from '../../server/node-peer';
import { installNodeWebRTC } from '../../server/node-webrtc';
import { launchFirefoxExtension, readyHandshakes, settledConnections, type FirefoxExtensionBrowser } from '../support/firefox-browser';

const IDLE_MS = 5 * 60_000;
const LOOK_EVERY_MS = 15_000;
const PEERS = 3;

describe('Firefox left idle', () => {
  let server: LocalServer;
  let firefox: FirefoxExtensionBrowser;
  const peers: MeshNode[] = [];

  beforeAll(async () => {
    installNodeWebRTC();
    server = await startLocalServer({ port: 9000 });
    firefox = await launchFirefoxExtension();
    for (let i = 0; i < PEERS; i++) peers.push((await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl] })).node);
  });
  afterAll(async () => {
    for (const peer of peers) peer.stop();
    await firefox?.close().catch(() => undefined);
    await server?.close();
  });

  it(`stays up and connected over ${IDLE_MS / 60_000} idle minutes, with no background restart`, { timeout: IDLE_MS + 120_000 }, async () => {
    const start = await settledConnections(firefox, PEERS);
    const handshakes = readyHandshakes(start);
    expect(await firefox.backgroundBoots()).toBe(1);
    const end = Date.now() + IDLE_MS;
    while (Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(LOOK_EVERY_MS, end - Date.now())));
      const now = await firefox.snapshot();
      expect(now.nodeId).toBe(start.nodeId);
      expect(now.signaling.state).toBe('open');
      expect(readyHandshakes(now)).toEqual(handshakes);
      expect(await firefox.backgroundBoots()).toBe(1);
    }
  });
});
