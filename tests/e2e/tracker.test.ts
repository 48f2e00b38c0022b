/**
 * The extension in real Chromium meets a fresh node with neither a PeerJS server nor a GUN relay up:
 * the local server runs its WebTorrent tracker alone, and the offer and answer ride on announces to it
 * (core/signaling/tracker-signaling.ts). The other node is a Node process running core/
 * (server/node-peer.ts). The node host notes every address it was told to reach (test builds,
 * host-place/instrument.ts): only the configured loopback endpoints, and no ICE server at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../core/node/node';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { startNodePeer } from '../../server/node-peer';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/extension-browser';
import { openDashboard } from '../support/ui';
import { until } from '../support/until';

type Reached = { webSockets: string[]; iceServers: string[] };
type Hook = { meshdeck: { instruments: { reached: Reached } } };

describe('meeting through the tracker, with PeerJS and GUN down', () => {
  let server: LocalServer;
  let browser: ExtensionBrowser;
  let peer: MeshNode;

  beforeAll(async () => {
    // The extension's test build has its signaling, relay and tracker on port 9000: only the tracker answers.
    server = await startLocalServer({ port: 9000, signaling: false, relay: false });
    browser = await launchExtensionBrowser();
    peer = (await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl], trackerUrls: [server.trackerUrl] })).node;
  });

  afterAll(async () => {
    peer?.stop();
    await browser?.close();
    await server?.close();
  });

  it('the extension and a fresh node become ready peers through the tracker', async () => {
    const snapshot = await until(
      () => browser.snapshot(),
      30_000,
      'the extension ready with the Node peer',
      (s) => s.peers.some((p) => p.nodeId === peer.nodeId && p.state === 'ready'),
    );
    expect(snapshot.signaling.state).not.toBe('open');
    expect(snapshot.rendezvous.relays.every((relay) => relay.state !== 'open')).toBe(true);
    expect(snapshot.peers.find((p) => p.nodeId === peer.nodeId)?.path).toBe('tracker');
    expect(peer.snapshot().peers.find((p) => p.nodeId === snapshot.nodeId)).toMatchObject({ state: 'ready', path: 'tracker' });
  });

  it('the dashboard shows the tracker path on the connection and the tracker fallback with its state', async () => {
    const page = await openDashboard(browser);
    const region = await page.waitForSelector('::-p-aria([name="Connections"][role="region"])');
    await until(
      () => region!.evaluate((el, id) => el.querySelector(`tr[data-node-id="${id}"]`)?.textContent ?? '', peer.nodeId),
      10_000,
      'the connection row says Tracker',
      (text) => text.includes('Tracker'),
    );
    const signaling = await page.waitForSelector('::-p-aria([name="Signaling endpoint"][role="region"])');
    const fallback = await until(
      () => signaling!.evaluate((el) => el.querySelector('[data-field="fallback-tracker"]')?.textContent ?? ''),
      10_000,
      'the tracker fallback shown ready, with the connection it set up',
      (text) => /ready/.test(text) && /[1-9]\d* connections? set up/.test(text),
    );
    expect(fallback).toMatch(/ready/);
    await page.close();
  });

  it('tried to reach nothing but the loopback endpoints it was built with, and no STUN or TURN server', async () => {
    const host = await browser.host();
    const reached = await host.evaluate(() => (globalThis as unknown as Hook).meshdeck.instruments.reached);
    expect(reached.webSockets.length).toBeGreaterThan(0);
    expect(reached.webSockets.filter((url) => !url.startsWith('ws://127.0.0.1:9000/'))).toEqual([]);
    expect(reached.webSockets.some((url) => url.startsWith('ws://127.0.0.1:9000/tracker'))).toBe(true);
    expect(reached.iceServers).toEqual([]);
  });
});
