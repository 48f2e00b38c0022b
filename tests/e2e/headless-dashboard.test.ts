/**
 * meshdeck-node's Node Dashboard in real Chromium (loopback-only namespace): the extension's own
 * options page, served by the headless node and talking to it over its token-guarded view socket.
 * It shows the node and its peer, blocks the peer through the same controls as in the extension
 * (kept in the lists file across a restart), and a page without the token gets nothing.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath } from '../../scripts/chromium-extension';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { spawnMeshdeckNode, type NodeProcess } from '../../server/node-process';
import { until } from '../support/until';

const dir = mkdtempSync(path.join(tmpdir(), 'headless-dashboard-'));
const listsFile = path.join(dir, 'lists.json');

describe('the headless node’s dashboard', () => {
  let server: LocalServer;
  let browser: Browser;
  let headless: NodeProcess;
  let peer: NodeProcess;
  let peerId: string;
  /** The first test's page, left open across the restart. */
  let first: Page;

  const startHeadless = async (): Promise<{ node: NodeProcess; url: string }> => {
    const node = spawnMeshdeckNode(['--identity', path.join(dir, 'a.json'), '--lists', listsFile, '--signaling', server.signalingUrl, '--relay', server.relayUrl]);
    await node.started();
    await until(() => node.dashboard() !== null, 10_000, 'the dashboard address');
    return { node, url: node.dashboard()! };
  };

  beforeAll(async () => {
    server = await startLocalServer({ port: 9000 });
    peer = spawnMeshdeckNode(['--identity', path.join(dir, 'b.json'), '--no-dashboard', '--signaling', server.signalingUrl, '--relay', server.relayUrl]);
    peerId = await peer.started();
    // Fails loudly when Chromium cannot start: nothing here is skipped.
    browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, pipe: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  });
  afterAll(async () => {
    await browser?.close();
    await headless?.stop();
    await peer?.stop();
    await server?.close();
  });

  const open = async (url: string): Promise<Page> => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 1000 });
    await page.goto(url);
    return page;
  };

  it('shows the node and its peer, takes the token off the address bar, blocks the peer and applies Network settings with the extension’s controls', async () => {
    const started = await startHeadless();
    headless = started.node;
    await until(() => headless.said(`peer ready: ${peerId}`), 20_000, 'the two nodes connected');
    const page = await open(started.url);
    await page.waitForFunction(() => document.documentElement.dataset.firstRenderAt, { timeout: 15_000, polling: 50 });
    expect(await page.$eval('[data-field="node-id"] code', (el) => el.textContent)).toBe(headless.nodeId());
    await page.waitForSelector(`.connections tbody tr[data-node-id="${peerId}"]`, { timeout: 10_000 });
    expect(await page.evaluate(() => location.hash)).toBe('');
    // A headless node neither pairs nor shares files: those panels, and Files in Sections, are left out.
    for (const name of ['Files', 'Pair browsers']) expect(await page.$(`::-p-aria([name="${name}"][role="region"])`)).toBeNull();
    const sections = (await page.waitForSelector('::-p-aria([name="Sections"][role="navigation"])'))!;
    expect(await sections.evaluate((nav) => [...nav.querySelectorAll('a')].map((a) => a.textContent))).not.toContain('Files');
    expect(await page.$('::-p-aria([name="Diagnostics"][role="region"])')).not.toBeNull();

    const controls = (await page.waitForSelector('::-p-aria([name="Node controls"][role="region"])'))!;
    await (await controls.waitForSelector('::-p-aria([name="Node or user ID"][role="textbox"])'))!.type(peerId);
    await (await controls.waitForSelector('::-p-aria([name="Block"][role="button"])'))!.click();
    await until(() => headless.said(`peer closed: ${peerId}: blocked`), 10_000, 'the headless node closed the blocked peer');
    await page.waitForFunction((id) => !document.querySelector(`.connections tbody tr[data-node-id="${id}"]`), { timeout: 10_000 }, peerId);
    const blockList = (await page.waitForSelector('::-p-aria([name="Block list"][role="region"])'))!;
    await blockList.waitForSelector(`::-p-text(${peerId})`, { timeout: 5000 });
    await until(() => readLists().includes(peerId), 5000, 'the block in the lists file');

    // Network settings go through the same trial as in the browser and reach the running node.
    const field = (await page.waitForSelector('::-p-aria([name="Maximum peers"][role="spinbutton"])'))!;
    await field.click({ count: 3 });
    await page.keyboard.press('Backspace');
    await field.type('6');
    await (await page.waitForSelector('::-p-aria([name="Apply network settings"][role="button"])'))!.click();
    await page.waitForFunction(() => /Applied/.test(document.querySelector('#section-netset [role="status"]')?.textContent ?? ''), { timeout: 10_000, polling: 50 });
    await until(() => headless.said('| peers 0/6'), 5000, 'the node running with 6 as its maximum');
    first = page;
  });

  it('after a restart the block holds, and a page holding the old token says it cannot reach the node', async () => {
    await headless.stop();
    const restarted = await startHeadless();
    headless = restarted.node;
    // Its token was the stopped process's: the page retries, and says why it may keep failing.
    await first.waitForFunction(() => document.body.innerText.includes("is this page's token the one it printed"), { timeout: 15_000, polling: 100 });
    expect(await first.$('.connections tbody tr[data-node-id]')).toBeNull();

    const page = await open(restarted.url);
    const blockList = (await page.waitForSelector('::-p-aria([name="Block list"][role="region"])'))!;
    await blockList.waitForSelector(`::-p-text(${peerId})`, { timeout: 10_000 });
    // The peer keeps redialling; none of its calls may become a connection.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(headless.said(`peer ready: ${peerId}`)).toBe(false);
    await Promise.all([first.close(), page.close()]);
  });
});

function readLists(): string {
  try {
    return readFileSync(listsFile, 'utf8');
  } catch {
    return '';
  }
}
