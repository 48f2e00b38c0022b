/**
 * The Node Dashboard against four real Chromium profiles wired in a line A–B–C–D (auto-dial off with
 * maxPeers 0, then one dial per link), with the real server in a loopback-only namespace. Controls are
 * used and results read through the dashboard's accessible names (docs/ui-contract.md).
 */
import { mkdir } from 'node:fs/promises';
import type { Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../core/node/node';
import type { NodeSnapshot } from '../../core/node/observed-state';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { launchExtensionBrowser, request, type ExtensionBrowser } from '../support/extension-browser';
import { openDashboard } from '../support/ui';
import { until } from '../support/until';

type Hook = { meshdeck: { host: { node: MeshNode } } };


async function dial(browser: ExtensionBrowser, nodeId: string): Promise<void> {
  const host = await browser.host();
  await host.evaluate((id) => void (globalThis as unknown as Hook).meshdeck.host.node.dial(id), nodeId);
}

const region = (page: Page, name: string) => page.waitForSelector(`::-p-aria([name="${name}"][role="region"])`);
const short = (id: string) => id.slice(0, 8);

describe('the Node Dashboard on a line of four nodes', () => {
  let server: LocalServer;
  const nodes: ExtensionBrowser[] = [];
  const dashboards: Page[] = [];
  const ids: string[] = [];

  beforeAll(async () => {
    server = await startLocalServer({ port: 9000 });
    for (let i = 0; i < 4; i++) nodes.push(await launchExtensionBrowser());
    for (const node of nodes) {
      const page = await openDashboard(node);
      await request(page, { type: 'settings:update', patch: { maxPeers: 0 } });
      dashboards.push(page);
      ids.push((await node.snapshot()).nodeId);
    }
    // Everyone connected to everyone before maxPeers reached 0: start from no connections.
    for (const [i, node] of nodes.entries()) {
      const host = await node.host();
      await host.evaluate((others) => {
        const { node: n } = (globalThis as unknown as Hook).meshdeck.host;
        for (const id of others) n.disconnect(id, 'shutdown');
      }, ids.filter((_, j) => j !== i));
    }
    for (const node of nodes) await until(() => node.snapshot(), 15_000, 'all discovered, none connected', (s) => s.peers.length === 0 && s.discovered.length >= 3);
    for (let i = 0; i < 3; i++) await dial(nodes[i]!, ids[i + 1]!);
    const ready = (s: NodeSnapshot) => s.peers.filter((p) => p.state === 'ready').length;
    await until(() => nodes[1]!.snapshot(), 15_000, 'B has A and C', (s) => ready(s) === 2);
    await until(() => nodes[2]!.snapshot(), 15_000, 'C has B and D', (s) => ready(s) === 2);
  });

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await server?.close();
  });

  it('lists each peer in the Connections table with latency and last handshake', async () => {
    const page = dashboards[1]!;
    const table = await region(page, 'Connections');
    const rows = await until(
      () =>
        table!.evaluate((el) =>
          [...el.querySelectorAll('tr[data-node-id]')].map((row) => ({ id: row.getAttribute('data-node-id'), text: row.textContent ?? '' })),
        ),
      10_000,
      'two rows with latency and last handshake',
      (r) => r.length === 2 && r.every((row) => /\d+(\.\d+)? ms/.test(row.text) && /ago/.test(row.text)),
    );
    expect(rows.map((r) => r.id).sort()).toEqual([ids[0], ids[2]].sort());
  });

  it('summarises the topology in the picture\'s accessible name', async () => {
    const mesh = await region(dashboards[0]!, 'Rendezvous mesh');
    const summary = await until(
      () => mesh!.evaluate((el) => el.querySelector('[role="img"]')?.getAttribute('aria-label') ?? ''),
      20_000,
      'topology of the line',
      (label) => label.startsWith('4 nodes, 3 links'),
    );
    expect(summary).toMatch(/^4 nodes, 3 links/);
  });

  it('pings D from A over the mesh through B and C, and shows the path', async () => {
    const page = dashboards[0]!;
    await page.bringToFront();
    const panel = await region(page, 'Mesh ping');
    const select = await panel!.waitForSelector('::-p-aria([name="Node"][role="combobox"])');
    await select!.select(ids[3]!);
    await (await panel!.waitForSelector('::-p-aria([name="Ping"][role="button"])'))!.click();
    const result = () => panel!.evaluate((el) => el.querySelector('[role="status"]')?.textContent ?? '');
    const text = await until(result, 8000, 'ping result', (t) => /\d+(\.\d+)? ms/.test(t) && t.includes(short(ids[3]!)));
    const positions = ids.map((id) => text.indexOf(short(id)));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    // B forwarded the ping and the pong: its Mesh controls count them, and how each was sent.
    const facts = () =>
      dashboards[1]!.evaluate(() => {
        const panel = document.querySelector('[data-panel="meshctl"]');
        return Object.fromEntries([...(panel?.querySelectorAll('dt') ?? [])].map((dt) => [dt.textContent, Number(dt.nextElementSibling?.textContent)]));
      });
    const counted = await until(facts, 5000, "B's forwarded count", (f) => f['Forwarded']! >= 2);
    expect(counted['Sent along a known path']! + counted['Sent to random neighbours (no path known)']!).toBeGreaterThanOrEqual(2);
  });

  it('fails the ping with a clear message when B has routing off', async () => {
    const b = dashboards[1]!;
    await b.bringToFront();
    const controls = await region(b, 'Mesh controls');
    const routing = await controls!.waitForSelector('::-p-aria([name="Mesh routing"][role="switch"])');
    await routing!.click();
    await until(() => nodes[1]!.snapshot(), 3000, 'routing off at B', (s) => !s.controls.routing);

    const a = dashboards[0]!;
    await a.bringToFront();
    const panel = await region(a, 'Mesh ping');
    await (await panel!.waitForSelector('::-p-aria([name="Ping"][role="button"])'))!.click();
    const failure = () => panel!.evaluate((el) => el.querySelector('[role="alert"]')?.textContent ?? '');
    await until(failure, 10_000, 'ping failure message', (t) => /no answer/i.test(t));

    await b.bringToFront();
    await routing!.click();
    await until(() => nodes[1]!.snapshot(), 3000, 'routing back on at B', (s) => s.controls.routing);
  });

  it('pausing incoming at A refuses a new dial and keeps the existing connection', async () => {
    const a = dashboards[0]!;
    await a.bringToFront();
    const controls = await region(a, 'Node controls');
    await (await controls!.waitForSelector('::-p-aria([name="Pause incoming connections"][role="switch"])'))!.click();
    await until(() => nodes[0]!.snapshot(), 3000, 'A paused incoming', (s) => s.controls.pauseIncoming);

    const since = Date.now();
    await dial(nodes[2]!, ids[0]!);
    const refused = (s: NodeSnapshot) => s.closedPeers.find((p) => p.nodeId === ids[0] && p.closedAt >= since);
    const c = await until(() => nodes[2]!.snapshot(), 10_000, 'C refused by A', (s) => refused(s) !== undefined);
    expect(refused(c)!.reason).toMatch(/paused/);
    const aState = await nodes[0]!.snapshot();
    expect(aState.peers.map((p) => p.nodeId)).toEqual([ids[1]]);
    expect(aState.peers[0]!.state).toBe('ready');
  });

  it('captures the dashboard for the README', async () => {
    const b = dashboards[1]!;
    await b.bringToFront();
    await new Promise((r) => setTimeout(r, 1500));
    // Written beside the test report, so a test run leaves the work tree clean; docs/dashboard.png is a
    // copy of it (README).
    await mkdir('test-results', { recursive: true });
    await b.screenshot({ path: 'test-results/dashboard.png', fullPage: true });
  });
});
