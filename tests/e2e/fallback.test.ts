/**
 * The extension in real Chromium meets a fresh node with no PeerJS server anywhere: the local server
 * runs its GUN relay alone, and the offer and answer travel sealed through it (GUN fallback
 * signaling). The other node is a Node process running core/ (server/node-peer.ts). The dashboard
 * says which path set the connection up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../core/node/node';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { startNodePeer } from '../../server/node-peer';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/extension-browser';
import { openDashboard } from '../support/ui';
import { until } from '../support/until';

describe('GUN fallback signaling, with the PeerJS server down', () => {
  let server: LocalServer;
  let browser: ExtensionBrowser;
  let peer: MeshNode;

  beforeAll(async () => {
    // The extension's test build uses port 9000 for both signaling and the relay.
    server = await startLocalServer({ port: 9000, signaling: false });
    browser = await launchExtensionBrowser();
    peer = (await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl] })).node;
  });

  afterAll(async () => {
    peer?.stop();
    await browser?.close();
    await server?.close();
  });

  it('the extension and a fresh node become ready peers through the relay', async () => {
    const snapshot = await until(
      () => browser.snapshot(),
      30_000,
      'the extension ready with the Node peer',
      (s) => s.peers.some((p) => p.nodeId === peer.nodeId && p.state === 'ready'),
    );
    expect(snapshot.signaling.state).not.toBe('open');
    expect(snapshot.peers.find((p) => p.nodeId === peer.nodeId)?.path).toBe('gun');
    expect(peer.snapshot().peers.find((p) => p.nodeId === snapshot.nodeId)).toMatchObject({ state: 'ready', path: 'gun' });
  });

  it('the dashboard shows the path of the connection and the fallback with its state', async () => {
    const page = await openDashboard(browser);
    const region = await page.waitForSelector('::-p-aria([name="Connections"][role="region"])');
    await until(
      () => region!.evaluate((el, id) => el.querySelector(`tr[data-node-id="${id}"]`)?.textContent ?? '', peer.nodeId),
      10_000,
      'the connection row says GUN',
      (text) => text.includes('GUN'),
    );
    const signaling = await page.waitForSelector('::-p-aria([name="Signaling endpoint"][role="region"])');
    const fallback = await until(
      () => signaling!.evaluate((el) => el.querySelector('[data-field="fallback-gun"]')?.textContent ?? ''),
      10_000,
      'the fallback shown ready',
      (text) => /ready/.test(text),
    );
    expect(fallback).toMatch(/[1-9]\d* connections? set up/);
    await page.close();
  });
});
