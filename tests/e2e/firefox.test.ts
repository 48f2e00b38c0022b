/**
 * The Firefox build in headless Firefox ESR (puppeteer over WebDriver BiDi), loopback-only namespace:
 * it lints clean, the popup shows the peers, the dashboard lists the connections, and a block made in
 * the dashboard survives a restart of the profile and is enforced after it. Peers are Node processes
 * running core/ (cheaper than browsers); the node under test is the real extension.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../core/node/node';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { startNodePeer } from '../../server/node-peer';
import { installNodeWebRTC } from '../../server/node-webrtc';
import { FIREFOX_EXTENSION_DIR } from '../../scripts/firefox-extension';
import { readPopup } from '../support/extension-browser';
import { until } from '../support/until';
import { launchFirefoxExtension, type FirefoxExtensionBrowser } from '../support/firefox-browser';
import type { BlockListState } from '../../core/blocklist/block-list-store';

/** The one web-ext warning left, explained in docs/firefox.md: Preact's dangerouslySetInnerHTML path, which Meshdeck never uses. */
const EXPLAINED_WARNINGS = new Set(['UNSAFE_VAR_ASSIGNMENT']);

const ready = (s: { peers: { nodeId: string; state: string }[] }, id: string) => s.peers.some((p) => p.nodeId === id && p.state === 'ready');

describe('Firefox', () => {
  let server: LocalServer;
  let firefox: FirefoxExtensionBrowser;
  let profile: string;
  const peers: MeshNode[] = [];

  beforeAll(async () => {
    installNodeWebRTC();
    server = await startLocalServer({ port: 9000 });
    profile = await mkdtemp(path.join(tmpdir(), 'meshdeck-firefox-profile-'));
    firefox = await launchFirefoxExtension({ userDataDir: profile });
    for (let i = 0; i < 2; i++) peers.push((await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl] })).node);
  });
  afterAll(async () => {
    for (const peer of peers) peer.stop();
    await firefox?.close().catch(() => undefined);
    await server?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('web-ext lint finds no error in the Firefox build, and no warning docs/firefox.md does not explain', async () => {
    const webExt = (await import('web-ext')).default;
    const result = await webExt.cmd.lint({ sourceDir: FIREFOX_EXTENSION_DIR, output: 'none' }, { shouldExitProgram: false });
    expect(result.errors.map((e) => `${e.code}: ${e.message}`)).toEqual([]);
    expect(result.warnings.filter((w) => !EXPLAINED_WARNINGS.has(w.code)).map((w) => `${w.code}: ${w.message}`)).toEqual([]);
  });

  it('the popup shows the peers the node in the background page connected to, and opens the dashboard', async () => {
    const popup = await firefox.openPopup();
    const shown = await until(() => readPopup(popup), 30_000, 'popup shows 2 peers', (p) => p.peers === 2);
    expect(shown.enabled).toBe(true);
    expect(shown.strength).toBeGreaterThan(0);
    await (await popup.waitForSelector('::-p-aria([name="View Node Dashboard"][role="button"])'))!.click();
    const hrefs = () => firefox.browser.pages().then((pages) => Promise.all(pages.map((page) => page.evaluate(() => location.href).catch(() => page.url()))));
    await until(hrefs, 10_000, 'the dashboard opened in a tab', (urls) => urls.some((url) => url.endsWith('/options.html')));
    await popup.close();
  });

  it('the dashboard lists every connection, with its latency', async () => {
    const dashboard = await firefox.openDashboard();
    const region = await dashboard.waitForSelector('::-p-aria([name="Connections"][role="region"])');
    const ids = peers.map((peer) => peer.snapshot().nodeId);
    const rows = await until(
      () => region!.evaluate((el) => [...el.querySelectorAll('table.connections-live tr[data-node-id]')].map((row) => row.textContent ?? '')),
      20_000,
      'both peers listed with a latency',
      (texts) => ids.every((id) => texts.some((text) => text.includes(id.slice(0, 8)))) && texts.every((text) => /\d+(\.\d+)? ms/.test(text)),
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    await dashboard.close();
  });

  it('a block made in the dashboard survives a restart of the profile, and is enforced after it', async () => {
    const blocked = peers[0]!.snapshot().nodeId;
    const kept = peers[1]!.snapshot().nodeId;
    const firefoxId = (await firefox.snapshot()).nodeId;
    const dashboard = await firefox.openDashboard();
    const controls = await dashboard.waitForSelector('::-p-aria([name="Node controls"][role="region"])');
    const box = await controls!.waitForSelector('::-p-aria([name="Node or user ID"][role="textbox"])');
    await box!.type(blocked);
    await (await controls!.waitForSelector('::-p-aria([name="Block"][role="button"])'))!.click();
    await until(() => firefox.snapshot(), 10_000, 'Firefox dropped the blocked peer', (s) => !s.peers.some((p) => p.nodeId === blocked));
    await until(() => Promise.resolve(peers[0]!.snapshot()), 10_000, 'the blocked peer dropped Firefox', (s) => !ready(s, firefoxId));

    await firefox.close({ keepProfile: true });
    firefox = await launchFirefoxExtension({ userDataDir: profile });
    const list = await firefox.request<BlockListState>({ type: 'block:list' });
    expect(list.entries.map((entry) => entry.id)).toContain(blocked);
    await until(() => firefox.snapshot(), 30_000, 'Firefox back with the other peer', (s) => ready(s, kept));
    expect((await firefox.snapshot()).controls.blocked).toContain(blocked);
    // The blocked peer dials the restarted node itself: refused at the handshake, it never becomes ready.
    peers[0]!.dial(firefoxId, { userAsked: true });
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect((await firefox.snapshot()).peers.some((p) => p.nodeId === blocked && p.state === 'ready')).toBe(false);
    expect(ready(peers[0]!.snapshot(), firefoxId)).toBe(false);
  });
});
