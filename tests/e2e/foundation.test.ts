/**
 * The foundation in real Chromium: three browser profiles with the built extension and the real local
 * server, in a loopback-only network namespace (scripts/test.mjs). Everything is read through the
 * popup's accessible names, as a user (or a screen reader) would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { launchExtensionBrowser, readPopup, type ExtensionBrowser } from '../support/extension-browser';
import { until } from '../support/until';
import { sendForgedHello } from '../support/forged-peer';
import { toggleP2P } from '../support/ui';
import type { Page } from 'puppeteer';

describe('three browsers with the extension', () => {
  let server: LocalServer;
  const browsers: ExtensionBrowser[] = [];
  const popups: Page[] = [];

  beforeAll(async () => {
    // The test build points at 127.0.0.1:9000, the local server's default.
    server = await startLocalServer({ port: 9000 });
    for (let i = 0; i < 3; i++) browsers.push(await launchExtensionBrowser());
    for (const b of browsers) popups.push(await b.openPopup());
  });

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close()));
    await server?.close();
  });

  it('discover each other through GUN and become ready peers', async () => {
    for (const popup of popups) {
      const shown = await until(() => readPopup(popup), 30_000, 'popup shows 2 peers', (p) => p.peers === 2 && p.strength > 0);
      expect(shown.enabled).toBe(true);
    }
  });

  it('turning the switch off drops the node from the others, and on brings it back', async () => {
    const [a, b, c] = popups as [Page, Page, Page];
    // Turning the network off asks for confirmation first.
    await toggleP2P(a, false);
    expect((await readPopup(a)).enabled).toBe(false);
    // Generous bounds: the figure is not asserted here (a loaded machine must not fail the test).
    await until(() => readPopup(b), 15_000, 'b drops a', (p) => p.peers === 1);
    await until(() => readPopup(c), 15_000, 'c drops a', (p) => p.peers === 1);
    await until(() => readPopup(a), 3000, 'a shows no peers', (p) => p.peers === 0);

    await toggleP2P(a, true);
    for (const popup of popups) await until(() => readPopup(popup), 15_000, 'back to 2 peers', (p) => p.peers === 2 && p.strength > 0);
  });

  it('refuses a peer whose hello is forged', async () => {
    const target = browsers[0]!;
    const before = await target.snapshot();
    const result = await sendForgedHello(server.signalingUrl, before.nodeId);
    expect(result.closed).toBe(true);
    expect(result.received.map((frame) => JSON.parse(frame).t)).toEqual(['hello']);
    const after = await until(() => target.snapshot(), 3000, 'refusal counted', (s) => s.totals.handshakesRefused > before.totals.handshakesRefused);
    expect(after.peers.map((p) => p.nodeId)).not.toContain('n' + 'a'.repeat(26));
    expect((await readPopup(popups[0]!)).peers).toBe(2);
  });

  it('View Node Dashboard opens the dashboard tab, then focuses it instead of opening another', async () => {
    const browser = browsers[0]!;
    const dashboards = async () => (await browser.browser.pages()).filter((p) => p.url().endsWith('/options.html'));
    const button = '::-p-aria([name="View Node Dashboard"][role="button"])';
    await popups[0]!.click(button);
    const [dashboard] = await until(dashboards, 5000, 'dashboard tab opened', (pages) => pages.length === 1);
    await popups[0]!.bringToFront();
    await popups[0]!.click(button);
    await new Promise((r) => setTimeout(r, 500));
    expect(await dashboards()).toHaveLength(1);

    // It shows this node's ID and the live connection list, one row per peer.
    const { nodeId, peers } = await browser.snapshot();
    const endpoint = await dashboard!.waitForSelector('::-p-aria([name="Signaling endpoint"][role="region"])');
    expect(await endpoint!.evaluate((el) => el.textContent)).toContain(nodeId);
    const connections = await dashboard!.waitForSelector('::-p-aria([name="Connections"][role="region"])');
    const rows = await until(
      () => connections!.evaluate((el) => [...el.querySelectorAll('tr[data-node-id]')].map((row) => row.getAttribute('data-node-id'))),
      5000,
      'two connection rows',
      (ids) => ids.length === 2,
    );
    expect(rows.sort()).toEqual(peers.map((p) => p.nodeId).sort());
  });

  it('re-creates a closed node host, which returns with the same identity and its peers', async () => {
    const browser = browsers[1]!;
    const { nodeId } = await browser.snapshot();
    const bornAt = () => browser.host().then((page) => page.evaluate(() => performance.timeOrigin));
    const firstHost = await bornAt();
    const worker = await browser.worker();
    await worker.evaluate(() => chrome.offscreen.closeDocument());
    // The open popup loses its port and asks the background for the host, which creates a new one.
    await until(bornAt, 10_000, 'a new offscreen document', (born) => born !== firstHost);
    const snapshot = await until(() => browser.snapshot(), 15_000, 'new host has its peers back', (s) => s.totals.peers === 2);
    expect(snapshot.nodeId).toBe(nodeId);
    await until(() => readPopup(popups[1]!), 10_000, 'popup shows 2 peers again', (p) => p.peers === 2 && p.strength > 0);
  });
});
