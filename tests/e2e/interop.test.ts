/**
 * Across vendors: the Chrome build in Chromium and the Firefox build in Firefox ESR, both real, on the
 * same local server in a loopback-only namespace. They become ready peers, show each other's latency,
 * answer a mesh ping, and a block made in Firefox closes the connection on the Chrome side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshPingResult } from '../../core/control/protocol';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { launchExtensionBrowser, request, waitFor, type ExtensionBrowser } from '../support/extension-browser';
import { launchFirefoxExtension, type FirefoxExtensionBrowser } from '../support/firefox-browser';
import type { Page } from 'puppeteer';

type Reply<T> = { ok: true; value: T } | { ok: false; error: { message: string } };
const ready = (s: { peers: { nodeId: string; state: string }[] }, id: string) => s.peers.some((p) => p.nodeId === id && p.state === 'ready');

describe('Chrome and Firefox', () => {
  let server: LocalServer;
  let chrome: ExtensionBrowser;
  let firefox: FirefoxExtensionBrowser;
  let chromePopup: Page;
  let chromeId: string;
  let firefoxId: string;

  beforeAll(async () => {
    server = await startLocalServer({ port: 9000 });
    chrome = await launchExtensionBrowser();
    firefox = await launchFirefoxExtension();
    chromeId = (await chrome.snapshot()).nodeId;
    firefoxId = (await firefox.snapshot()).nodeId;
    chromePopup = await chrome.openPopup();
  });
  afterAll(async () => {
    await chrome?.close().catch(() => undefined);
    await firefox?.close().catch(() => undefined);
    await server?.close();
  });

  it('become ready peers and show each other’s latency', async () => {
    const inChrome = await waitFor(() => chrome.snapshot(), (s) => s.peers.some((p) => p.nodeId === firefoxId && p.state === 'ready' && p.rttMs !== null), 30_000, 'Chrome sees Firefox ready, with a latency');
    const inFirefox = await waitFor(() => firefox.snapshot(), (s) => s.peers.some((p) => p.nodeId === chromeId && p.state === 'ready' && p.rttMs !== null), 30_000, 'Firefox sees Chrome ready, with a latency');
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

  it('a block made in Firefox closes the connection on the Chrome side, which is told why', async () => {
    await firefox.request({ type: 'block:add', id: chromeId });
    const inChrome = await waitFor(() => chrome.snapshot(), (s) => !ready(s, firefoxId), 10_000, 'Chrome dropped Firefox');
    expect(inChrome.closedPeers.find((p) => p.nodeId === firefoxId)?.reason).toMatch(/block/i);
    await waitFor(() => firefox.snapshot(), (s) => !ready(s, chromeId), 10_000, 'Firefox dropped Chrome');
  });
});
