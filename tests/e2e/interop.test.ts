/**
 * Across vendors: the Chrome build in Chromium and the Firefox build in Firefox ESR, both real, on the
 * same local server in a loopback-only namespace. They become ready peers, show each other's latency,
 * answer a mesh ping; pairing from the dashboards gives Firefox Chrome's user ID and both the merged
 * block list; after it a block made in Chrome reaches Firefox through the relays and is enforced there,
 * until `Unpair`; and a block made in Firefox closes the connection on the Chrome side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshPingResult } from '../../core/routing/routing-reports';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { launchExtensionBrowser, request, type ExtensionBrowser } from '../support/extension-browser';
import { until } from '../support/until';
import { launchFirefoxExtension, type FirefoxExtensionBrowser } from '../support/firefox-browser';
import type { Page } from 'puppeteer';
import type { BlockListState } from '../../core/blocklist/block-list-store';
import { confirmDialog, openDashboard } from '../support/ui';
import { startNodePeer } from '../../server/node-peer';
import { installNodeWebRTC } from '../../server/node-webrtc';
import type { MeshNode } from '../../core/node/node';

type Reply<T> = { ok: true; value: T } | { ok: false; error: { message: string } };
const ready = (s: { peers: { nodeId: string; state: string }[] }, id: string) => s.peers.some((p) => p.nodeId === id && p.state === 'ready');

describe('Chrome and Firefox', () => {
  let server: LocalServer;
  let chrome: ExtensionBrowser;
  let firefox: FirefoxExtensionBrowser;
  let chromePopup: Page;
  let chromeId: string;
  let firefoxId: string;

  let peer: MeshNode | null = null;

  beforeAll(async () => {
    installNodeWebRTC();
    server = await startLocalServer({ port: 9000 });
    chrome = await launchExtensionBrowser();
    firefox = await launchFirefoxExtension();
    chromeId = (await chrome.snapshot()).nodeId;
    firefoxId = (await firefox.snapshot()).nodeId;
    chromePopup = await chrome.openPopup();
  });
  afterAll(async () => {
    peer?.stop();
    await chrome?.close().catch(() => undefined);
    await firefox?.close().catch(() => undefined);
    await server?.close();
  });

  it('become ready peers and show each other’s latency', async () => {
    const inChrome = await until(() => chrome.snapshot(), 30_000, 'Chrome sees Firefox ready, with a latency', (s) => s.peers.some((p) => p.nodeId === firefoxId && p.state === 'ready' && p.rttMs !== null));
    const inFirefox = await until(() => firefox.snapshot(), 30_000, 'Firefox sees Chrome ready, with a latency', (s) => s.peers.some((p) => p.nodeId === chromeId && p.state === 'ready' && p.rttMs !== null));
    expect(inChrome.peers.find((p) => p.nodeId === firefoxId)!.rttMs).toBeGreaterThanOrEqual(0);
    expect(inFirefox.peers.find((p) => p.nodeId === chromeId)!.rttMs).toBeGreaterThanOrEqual(0);
  });

  it('answer a mesh ping both ways', async () => {
    const fromChrome = (await request(chromePopup, { type: 'node:ping', nodeId: firefoxId })) as Reply<MeshPingResult>;
    expect(fromChrome.ok).toBe(true);
    expect((fromChrome as { value: MeshPingResult }).value.path.at(-1)).toBe(firefoxId);
    const fromFirefox = await firefox.request<MeshPingResult>({ type: 'node:ping', nodeId: chromeId });
    expect(fromFirefox.path.at(-1)).toBe(chromeId);
    expect(fromFirefox.rttMs).toBeGreaterThanOrEqual(0);
  });

  it('pairing from the dashboards: Firefox takes Chrome’s user ID, and both hold the merged block list', async () => {
    const blockedInChrome = 'n' + 'c'.repeat(26);
    const blockedInFirefox = 'n' + 'f'.repeat(26);
    await request(chromePopup, { type: 'block:add', id: blockedInChrome });
    await firefox.request({ type: 'block:add', id: blockedInFirefox });
    const chromeUser = (await chrome.snapshot()).userId;
    expect((await firefox.snapshot()).userId).not.toBe(chromeUser);

    const chromeDashboard = await openDashboard(chrome);
    await (await chromeDashboard.waitForSelector('::-p-aria([name="Pair a browser"][role="button"])'))!.click();
    const shown = await chromeDashboard.waitForSelector('::-p-aria([name="Code to type in the other browser"])');
    const code = await shown!.evaluate((el) => el.textContent ?? '');
    expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    expect(await chromeDashboard.$(`::-p-aria([name="QR code of the pairing code ${code}"])`)).not.toBeNull();

    const firefoxDashboard = await firefox.openDashboard();
    const box = await firefoxDashboard.waitForSelector('::-p-aria([name="Pairing code"][role="textbox"])');
    await box!.type(code);
    await (await firefoxDashboard.waitForSelector('::-p-aria([name="Join with a code"][role="button"])'))!.click();
    await confirmDialog(firefoxDashboard);
    await until(() => firefoxDashboard.evaluate(() => /Joined: this browser is now user/.test(document.body.textContent ?? '')), 30_000, 'Firefox says it joined');

    await until(() => firefox.snapshot(), 20_000, 'Firefox re-certified under Chrome’s user key', (s) => s.userId === chromeUser);
    const firefoxList = await firefox.request<BlockListState>({ type: 'block:list' });
    expect(firefoxList.entries.filter((e) => !e.removed).map((e) => e.id)).toEqual(expect.arrayContaining([blockedInChrome, blockedInFirefox]));
    const chromeList = (await request(chromePopup, { type: 'block:list' })) as Reply<BlockListState>;
    expect(chromeList.ok && chromeList.value.entries.filter((e) => !e.removed).map((e) => e.id)).toEqual(expect.arrayContaining([blockedInChrome, blockedInFirefox]));
    // The user ID in the dashboards follows.
    await until(() => chrome.snapshot(), 30_000, 'Chrome and Firefox connected again, as one user', (s) => ready(s, firefoxId));
    await Promise.all([chromeDashboard.close(), firefoxDashboard.close()]);
  });

  it('after pairing, a block made in Chrome reaches Firefox through the relays and is enforced there, until Unpair', async () => {
    const blockedIds = async () => (await firefox.request<BlockListState>({ type: 'block:list' })).entries.filter((e) => !e.removed).map((e) => e.id);
    peer = (await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl] })).node;
    const peerId = peer.snapshot().nodeId;
    await until(() => firefox.snapshot(), 30_000, 'Firefox connected to the Node peer', (s) => ready(s, peerId));
    await request(chromePopup, { type: 'block:add', id: peerId });
    await until(blockedIds, 20_000, 'the block reached Firefox’s list', (ids) => ids.includes(peerId));
    await until(() => firefox.snapshot(), 10_000, 'Firefox dropped the peer Chrome blocked', (s) => !ready(s, peerId));

    const dashboard = await firefox.openDashboard();
    await (await dashboard.waitForSelector('::-p-aria([name="Unpair"][role="button"])'))!.click();
    await until(() => dashboard.evaluate(() => /Unpaired/.test(document.body.textContent ?? '')), 10_000, 'Firefox says it unpaired');
    const later = 'n' + 'l'.repeat(26);
    await request(chromePopup, { type: 'block:add', id: later });
    // A block would arrive within a second or two (the one above did); this one must not come.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(await blockedIds()).not.toContain(later);
    await dashboard.close();
  });

  it('a block made in Firefox closes the connection on the Chrome side, which is told why', async () => {
    await firefox.request({ type: 'block:add', id: chromeId });
    const inChrome = await until(() => chrome.snapshot(), 10_000, 'Chrome dropped Firefox', (s) => !ready(s, firefoxId));
    expect(inChrome.closedPeers.find((p) => p.nodeId === firefoxId)?.reason).toMatch(/block/i);
    await until(() => firefox.snapshot(), 10_000, 'Firefox dropped Chrome', (s) => !ready(s, chromeId));
  });
});
