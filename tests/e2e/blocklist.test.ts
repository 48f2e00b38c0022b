/**
 * Blocking in real Chromium (loopback-only namespace), driven from the dashboard: the connection
 * drops on both sides at once, the blocked node cannot come back, the list survives a browser
 * restart, and blocking a user refuses every node that user's key certifies.
 */
import type { Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../core/node/node';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/extension-browser';
import { until } from '../support/until';
import { DIAL_SWEEP_MS } from '../../core/node/online-run';
import { confirmDialog, openDashboard } from '../support/ui';

type Hook = { meshdeck: { host: { node: MeshNode } } };

async function blockFromDashboard(page: Page, id: string): Promise<void> {
  const controls = await page.waitForSelector('::-p-aria([name="Node controls"][role="region"])');
  const box = await controls!.waitForSelector('::-p-aria([name="Node or user ID"][role="textbox"])');
  await box!.click({ count: 3 });
  await box!.type(id);
  await (await controls!.waitForSelector('::-p-aria([name="Block"][role="button"])'))!.click();
  // Blocking a user (all of that user's browsers) asks for confirmation first.
  if (id.startsWith('u')) await confirmDialog(page);
}

const connected = (s: { peers: { nodeId: string; state: string }[] }, id: string) => s.peers.some((p) => p.nodeId === id && p.state === 'ready');

describe('blocking', () => {
  let server: LocalServer;
  const nodes: ExtensionBrowser[] = [];
  const ids: string[] = [];

  beforeAll(async () => {
    server = await startLocalServer({ port: 9000 });
    for (let i = 0; i < 2; i++) {
      nodes.push(await launchExtensionBrowser());
      ids.push((await nodes[i]!.snapshot()).nodeId);
    }
    await until(() => nodes[0]!.snapshot(), 20_000, 'A and B connected', (s) => connected(s, ids[1]!));
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close().catch(() => undefined)));
    await server?.close();
  });

  // The mechanism (A's bye `blocked` closes B's side too); the time is block_to_close_ms_median in
  // `npm run bench -- blocklist`. The bound only keeps a broken build from hanging the suite.
  it('A blocks B by node ID from the dashboard: the connection drops on both sides, B told why', async () => {
    const [A, B] = nodes as [ExtensionBrowser, ExtensionBrowser];
    const dashboard = await openDashboard(A);
    await blockFromDashboard(dashboard, ids[1]!);
    await until(() => A.snapshot(), 10_000, 'A dropped B', (s) => !s.peers.some((p) => p.nodeId === ids[1]));
    await until(() => B.snapshot(), 10_000, 'B dropped A', (s) => !s.peers.some((p) => p.nodeId === ids[0]));
    expect((await B.snapshot()).closedPeers[0]).toMatchObject({ nodeId: ids[0], reason: 'the peer blocked this node' });
    expect((await A.snapshot()).discovered.find((d) => d.nodeId === ids[1])?.status).toBe('blocked');
  });

  it('B cannot reconnect: its hello is refused and it is told nothing', async () => {
    const [A, B] = nodes as [ExtensionBrowser, ExtensionBrowser];
    const since = Date.now();
    const hostB = await B.host();
    await hostB.evaluate((id) => void (globalThis as unknown as Hook).meshdeck.host.node.dial(id, { userAsked: true }), ids[0]!);
    const b = await until(() => B.snapshot(), 12_000, 'B refused', (s) => s.closedPeers.some((p) => p.nodeId === ids[0] && p.closedAt >= since));
    expect(b.closedPeers.find((p) => p.nodeId === ids[0] && p.closedAt >= since)!.reason).not.toMatch(/blocked/);
    expect(connected(await A.snapshot(), ids[1]!)).toBe(false);
  });

  it('the block list survives a browser restart', async () => {
    const A = nodes[0]!;
    const profile = A.userDataDir;
    await A.close({ keepProfile: true });
    const again = await launchExtensionBrowser({ userDataDir: profile });
    nodes[0] = again;
    const s = await until(() => again.snapshot(), 20_000, 'block list back', (x) => x.signaling.state === 'open' && x.controls.blocked.includes(ids[1]!));
    expect(s.nodeId).toBe(ids[0]);
    // A knows B again and marks it blocked; then more than two dial sweeps pass without a connection.
    await until(() => again.snapshot(), 30_000, 'B known and blocked', (x) => x.discovered.some((d) => d.nodeId === ids[1] && d.status === 'blocked'));
    await new Promise((r) => setTimeout(r, 2 * DIAL_SWEEP_MS + 1000));
    expect(connected(await again.snapshot(), ids[1]!)).toBe(false);
  });

  it('blocking a user refuses both nodes that user certifies', async () => {
    const A = nodes[0]!;
    // C and D: two profiles of one user (D takes C's user key, as storage.sync would bring it). C's
    // key is the older (C has its identity before D starts), so D settles on it (the older wins).
    const C = await launchExtensionBrowser();
    await C.snapshot();
    const D = await launchExtensionBrowser();
    nodes.push(C, D);
    const cPage = await C.openPopup();
    const dPage = await D.openPopup();
    const userKey = await cPage.evaluate(async () => (await chrome.storage.sync.get('meshdeck:userKey'))['meshdeck:userKey']);
    await dPage.evaluate((key) => chrome.storage.sync.set({ 'meshdeck:userKey': key }), userKey);
    const userId = (await C.snapshot()).userId;
    const cId = (await C.snapshot()).nodeId;
    const dId = (await D.snapshot()).nodeId;
    await until(() => D.snapshot(), 10_000, 'D re-certified under C\'s user', (s) => s.userId === userId && s.nodeId === dId);
    await until(() => A.snapshot(), 20_000, 'A connected to C and D', (s) => connected(s, cId) && connected(s, dId));

    const dashboard = await openDashboard(A);
    await blockFromDashboard(dashboard, userId);
    await until(() => A.snapshot(), 3000, 'A dropped both of the user\'s nodes', (s) => !s.peers.some((p) => p.nodeId === cId || p.nodeId === dId));
    // More than two dial sweeps: neither node is dialled again, and neither gets in.
    await new Promise((r) => setTimeout(r, 2 * DIAL_SWEEP_MS + 1000));
    const a = await A.snapshot();
    expect(connected(a, cId) || connected(a, dId)).toBe(false);
    expect(a.discovered.filter((n) => n.userId === userId).map((n) => n.status)).toEqual(['blocked', 'blocked']);
  }, 90_000);
});
