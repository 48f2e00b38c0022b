/**
 * Trusted-only mode (issue 13) in real Chromium (loopback-only namespace), driven through the
 * dashboard's `Trusted peers` region by its accessible names: turning it on with nobody trusted asks
 * first; with a node trusted through the `Trusted node or user ID` box and `Trust`, the `Trusted peers
 * only` switch drops the stranger (told with bye `blocked`) and keeps the trusted node, which the
 * Connections table marks "trusted"; the stranger cannot come back, a node of a user trusted by user
 * ID gets in, and the popup says the mode is on.
 */
import type { ElementHandle, Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../core/node/node';
import { DIAL_SWEEP_MS } from '../../core/node/online-run';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { startNodePeer } from '../../server/node-peer';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/extension-browser';
import { until } from '../support/until';
import { cancelDialog, openDashboard, openDialog } from '../support/ui';

const SWITCH = '::-p-aria([name="Trusted peers only"][role="switch"])';
const region = async (page: Page, name: string) => (await page.waitForSelector(`::-p-aria([name="${name}"][role="region"])`, { timeout: 15_000 }))!;
const text = (el: ElementHandle) => el.evaluate((e) => (e as HTMLElement).innerText);
const ready = (s: { peers: { nodeId: string; state: string }[] }, id: string) => s.peers.some((p) => p.nodeId === id && p.state === 'ready');

/** Types `id` into the `Trusted node or user ID` box and presses `Trust`; resolves once its row is in the trust list. */
async function trustFromDashboard(page: Page, id: string): Promise<void> {
  const panel = await region(page, 'Trusted peers');
  const box = (await panel.waitForSelector('::-p-aria([name="Trusted node or user ID"][role="textbox"])'))!;
  await box.click({ count: 3 });
  await box.type(id);
  await (await panel.waitForSelector('::-p-aria([name="Trust"][role="button"])'))!.click();
  await panel.waitForSelector(`tr[data-trust-id="${id}"]`, { timeout: 5000 });
  // The row's button names the ID it untrusts.
  await panel.waitForSelector(`::-p-aria([name="Untrust ${id}"][role="button"])`, { timeout: 1000 });
}

const checked = (toggle: ElementHandle) => toggle.evaluate((el) => el.getAttribute('aria-checked'));

describe('Trusted peers only', () => {
  let server: LocalServer;
  let extension: ExtensionBrowser;
  const peers: MeshNode[] = [];
  /** A Node test peer on the local server, stopped after the suite. */
  const nodePeer = async (): Promise<MeshNode> => {
    const { node } = await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl] });
    peers.push(node);
    return node;
  };
  let trusted: MeshNode;
  let stranger: MeshNode;
  let dashboard: Page;

  beforeAll(async () => {
    server = await startLocalServer({ port: 9000 });
    extension = await launchExtensionBrowser();
    trusted = await nodePeer();
    stranger = await nodePeer();
    // Before the mode: anybody connects, as ever.
    await until(() => extension.snapshot(), 30_000, 'both Node peers ready with the extension', (s) => ready(s, trusted.nodeId) && ready(s, stranger.nodeId));
    dashboard = await openDashboard(extension);
  });

  afterAll(async () => {
    await extension?.close();
    for (const peer of peers) peer.stop();
    await server?.close();
  });

  it('turning it on with nobody trusted asks first (alertdialog); Cancel leaves it off and everyone connected', async () => {
    const panel = await region(dashboard, 'Trusted peers');
    expect(await text(panel)).toContain('Nobody is trusted yet');
    const toggle = (await panel.waitForSelector(SWITCH))!;
    await dashboard.waitForFunction((el) => el.getAttribute('aria-checked') === 'false', { timeout: 5000, polling: 50 }, toggle);
    await toggle.click();
    const dialog = await openDialog(dashboard);
    expect(await dialog.evaluate((d) => d.getAttribute('role'))).toBe('alertdialog');
    expect(await text(dialog)).toMatch(/trust list is empty: every connection closes/);
    await dialog.waitForSelector('::-p-aria([name="Confirm"][role="button"])');
    await cancelDialog(dashboard);
    expect(await checked(toggle)).toBe('false');
    const s = await extension.snapshot();
    expect(s.controls.trustedOnly).toBe(false);
    expect(ready(s, trusted.nodeId) && ready(s, stranger.nodeId)).toBe(true);
  });

  it('with a node trusted from the dashboard, the switch drops the stranger (bye blocked) and keeps and marks the trusted node', async () => {
    await trustFromDashboard(dashboard, trusted.nodeId);
    await until(() => extension.snapshot(), 5000, 'the node holds the trust list', (s) => s.controls.trusted.includes(trusted.nodeId));
    const ourId = (await extension.snapshot()).nodeId;
    const strangerCloses: string[] = [];
    const off = stranger.events.on('peer:close', ({ nodeId, reason }) => void (nodeId === ourId && strangerCloses.push(reason)));
    try {
      const panel = await region(dashboard, 'Trusted peers');
      const toggle = (await panel.waitForSelector(SWITCH))!;
      await toggle.click();
      // Somebody is trusted: no question, the switch flips at once.
      await dashboard.waitForFunction((el) => el.getAttribute('aria-checked') === 'true', { timeout: 2000, polling: 'mutation' }, toggle);
      expect(await dashboard.$('dialog[open]')).toBeNull();

      await until(() => extension.snapshot(), 5000, 'the stranger dropped', (s) => s.controls.trustedOnly && !s.peers.some((p) => p.nodeId === stranger.nodeId));
      await until(async () => stranger.snapshot(), 5000, 'the stranger saw it', (s) => !s.peers.some((p) => p.nodeId === ourId));
      expect(strangerCloses).toEqual(['remote:blocked']);
      expect(stranger.snapshot().closedPeers.find((c) => c.nodeId === ourId)?.reason).toBe('the peer blocked this node');
      const s = await extension.snapshot();
      expect(s.peers.find((p) => p.nodeId === trusted.nodeId)).toMatchObject({ state: 'ready', trusted: true });
      expect(s.closedPeers.find((c) => c.nodeId === stranger.nodeId)).toMatchObject({ reason: 'blocked by you', lastError: expect.stringMatching(/not a trusted peer/) });

      // The Connections table: the trusted peer's row says "trusted" in words; the stranger has no row.
      const connections = await region(dashboard, 'Connections');
      const row = (await connections.waitForSelector(`tr[data-node-id="${trusted.nodeId}"]`))!;
      await until(() => row.$eval('.trust-mark', (el) => el.textContent), 3000, 'the trusted mark', (t) => t === 'trusted');
      expect(await text(row)).toMatch(/\btrusted\b/);
      expect(await connections.$(`tr[data-node-id="${stranger.nodeId}"]`)).toBeNull();
      // And the trust list says it is connected.
      expect(await text((await panel.waitForSelector(`tr[data-trust-id="${trusted.nodeId}"]`))!)).toContain('connected');
    } finally {
      off();
    }
  });

  it('the stranger cannot come back: its dial is refused with bye blocked, and the extension never dials it', async () => {
    const ourId = (await extension.snapshot()).nodeId;
    const since = Date.now();
    stranger.dial(ourId, { userAsked: true });
    await until(
      async () => stranger.snapshot(),
      12_000,
      'the stranger refused',
      (s) => s.closedPeers.some((c) => c.nodeId === ourId && c.closedAt >= since && c.reason === 'the peer blocked this node'),
    );
    // More than two dial sweeps with a fresh record of the stranger: no connection either way.
    const end = Date.now() + 2 * DIAL_SWEEP_MS + 1000;
    while (Date.now() < end) {
      expect(ready(await extension.snapshot(), stranger.nodeId)).toBe(false);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect((await extension.snapshot()).discovered.some((d) => d.nodeId === stranger.nodeId)).toBe(true);
    expect(ready(await extension.snapshot(), trusted.nodeId)).toBe(true);
  });

  it('a new node of a user trusted by user ID gets in, marked trusted', async () => {
    const friend = await nodePeer();
    const friendUser = friend.snapshot().userId;
    // A stranger still: found, not connected.
    await until(() => extension.snapshot(), 20_000, 'the friend discovered', (s) => s.discovered.some((d) => d.nodeId === friend.nodeId));
    expect(ready(await extension.snapshot(), friend.nodeId)).toBe(false);
    await trustFromDashboard(dashboard, friendUser);
    await until(() => extension.snapshot(), 20_000, 'the friend ready', (s) => ready(s, friend.nodeId));
    expect((await extension.snapshot()).peers.find((p) => p.nodeId === friend.nodeId)).toMatchObject({ userId: friendUser, trusted: true });
    const row = (await (await region(dashboard, 'Connections')).waitForSelector(`tr[data-node-id="${friend.nodeId}"]`))!;
    await until(() => row.$eval('.trust-mark', (el) => el.textContent), 3000, 'the friend marked trusted', (t) => t === 'trusted');
  });

  it('the popup says Trusted peers only while the mode is on, and not once it is off', async () => {
    const popup = await extension.openPopup();
    const mode = await popup.waitForSelector('[data-field="trusted-only"]', { timeout: 10_000 });
    expect(await text(mode!)).toContain('Trusted peers only');
    await popup.close();

    const panel = await region(dashboard, 'Trusted peers');
    const toggle = (await panel.waitForSelector(SWITCH))!;
    await dashboard.bringToFront();
    await toggle.click();
    await dashboard.waitForFunction((el) => el.getAttribute('aria-checked') === 'false', { timeout: 2000, polling: 'mutation' }, toggle);
    await until(() => extension.snapshot(), 5000, 'the mode off in the node', (s) => !s.controls.trustedOnly);
    const again = await extension.openPopup();
    await again.waitForSelector('::-p-aria([name="Network stats"][role="region"])', { timeout: 10_000 });
    await again.waitForFunction(() => document.querySelector('.popup-foot code'), { timeout: 10_000, polling: 100 });
    expect(await again.$('[data-field="trusted-only"]')).toBeNull();
    expect(await text((await again.$('main'))!)).not.toContain('Trusted peers only');
    await again.close();
  }, 60_000);
});
