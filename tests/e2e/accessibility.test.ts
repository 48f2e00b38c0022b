/**
 * axe-core on the real popup and Node Dashboard (issue 4: 0 violations), in light and dark, with live
 * data: one headless Chromium with the built extension, the real local server and two Node demo peers,
 * in a loopback-only network namespace (scripts/test.mjs). Also the dashboard's refused-input states
 * (a malformed endpoint, a bad ID to block), which must be as accessible as the happy path.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../core/node/node';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { startNodePeer } from '../../server/node-peer';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/extension-browser';
import { until } from '../support/until';
import { cancelDialog, confirmDialog, openDashboard, openDialog, P2P_SWITCH } from '../support/ui';
import { exportBlockList } from '../../core/blocklist/block-list';
import type { ElementHandle } from 'puppeteer';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SCHEMES = ['light', 'dark'] as const;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe in the page (evaluated through DevTools, which the extension pages' CSP does not block). */
async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String), failureSummary: n.failureSummary })),
    }));
  });
}

/** One line a violation and one a failing element, for a failure message a person can act on. */
function describeViolations(where: string, violations: AxeViolation[]): string {
  if (violations.length === 0) return `${where}: no violations`;
  const lines = [`${where}: ${violations.length} axe violation(s)`];
  for (const v of violations) {
    lines.push(`- ${v.id} (${v.impact ?? 'no impact'}): ${v.help} — ${v.helpUrl}`);
    for (const node of v.nodes.slice(0, 5)) lines.push(`    ${node.target.join(' ')}: ${(node.failureSummary ?? '').replace(/\s+/g, ' ')}`);
    if (v.nodes.length > 5) lines.push(`    … and ${v.nodes.length - 5} more`);
  }
  return lines.join('\n');
}

async function expectNoViolations(page: Page, where: string): Promise<void> {
  for (const scheme of SCHEMES) {
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
    // The charts repaint in their colours on the scheme's change event; give it a frame or two.
    await new Promise((r) => setTimeout(r, 200));
    const violations = await axeViolations(page);
    expect(violations, describeViolations(`${where}, ${scheme}`, violations)).toEqual([]);
  }
}

describe('accessibility (axe-core) of the popup and the Node Dashboard', () => {
  let server: LocalServer;
  let extension: ExtensionBrowser;
  const peers: MeshNode[] = [];
  let dashboard: Page;

  beforeAll(async () => {
    server = await startLocalServer({ port: 9000 });
    extension = await launchExtensionBrowser();
    for (let i = 0; i < 2; i++) peers.push((await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl] })).node);
    await until(() => extension.snapshot(), 30_000, 'two ready demo peers', (s) => s.peers.filter((p) => p.state === 'ready').length === 2);
  });

  afterAll(async () => {
    await extension?.close();
    for (const peer of peers) peer.stop();
    await server?.close();
  });

  it('the popup has no violations, with its figures shown', async () => {
    const popup = await extension.openPopup();
    await popup.waitForFunction(() => document.querySelector('[data-stat="peers"]')?.textContent === '2', { timeout: 10_000, polling: 50 });
    await expectNoViolations(popup, 'popup');
    await popup.close();
  });

  it('the dashboard has no violations, with every panel showing live data', async () => {
    dashboard = await openDashboard(extension, { viewport: { width: 1280, height: 900 } });
    await dashboard.waitForFunction(() => document.querySelectorAll('.connections tr[data-node-id]').length === 2, { timeout: 10_000, polling: 50 });
    // The live parts: a point of history on the charts and the log's first entries.
    await dashboard.waitForFunction(() => !document.querySelector('.chart-empty') && document.querySelector('.log-table tbody tr'), { timeout: 10_000, polling: 50 });
    const regions = await dashboard.$$eval('section[aria-labelledby]', (sections) =>
      sections.map((s) => document.getElementById(s.getAttribute('aria-labelledby')!)?.textContent),
    );
    expect(regions).toEqual(
      expect.arrayContaining([
        'Signaling endpoint',
        'Rendezvous mesh',
        'Mesh controls',
        'Node controls',
        'Networking stats',
        'Connections',
        'P2P network',
        'Diagnostics',
        'Mesh ping',
        'Block list',
      ]),
    );
    await expectNoViolations(dashboard, 'dashboard');
  });

  it('actions say what they did: refresh, copy, download', async () => {
    await extension.browser
      .defaultBrowserContext()
      .overridePermissions(`chrome-extension://${extension.extensionId}`, ['clipboard-read', 'clipboard-write', 'clipboard-sanitized-write']);
    const statusText = (region: NonNullable<Awaited<ReturnType<Page['waitForSelector']>>>) =>
      region.evaluate((el) => [...el.querySelectorAll('[role="status"], [role="alert"]')].map((s) => s.textContent).join(' | '));

    const mesh = (await dashboard.waitForSelector('::-p-aria([name="Mesh controls"][role="region"])'))!;
    await (await mesh.waitForSelector('::-p-aria([name="Refresh peers"][role="button"])'))!.click();
    await until(() => statusText(mesh), 5000, 'refresh result', (t) => /Found \d+ new nodes?, dialling \d+/.test(t));

    const endpoint = (await dashboard.waitForSelector('::-p-aria([name="Signaling endpoint"][role="region"])'))!;
    await (await endpoint.waitForSelector('::-p-aria([name="Copy node ID"][role="button"])'))!.click();
    await until(() => statusText(endpoint), 5000, 'copied', (t) => t.includes('Copied'));
    const { nodeId } = await extension.snapshot();
    expect(await dashboard.evaluate(() => navigator.clipboard.readText())).toBe(nodeId);

    const diagnostics = (await dashboard.waitForSelector('::-p-aria([name="Diagnostics"][role="region"])'))!;
    await (await diagnostics.waitForSelector('::-p-aria([name="Download diagnostics"][role="button"])'))!.click();
    await until(() => statusText(diagnostics), 5000, 'diagnostics saved', (t) => /Saved meshdeck-diagnostics-[\dT-]+\.json/.test(t));
  });

  it('refused input is reported at its field, accessibly, and nothing is saved', async () => {
    const before = await extension.snapshot();
    const endpoint = await dashboard.waitForSelector('::-p-aria([name="Signaling endpoint"][role="region"])');
    await (await endpoint!.waitForSelector('::-p-aria([name="Change endpoint"][role="button"])'))!.click();
    const url = await endpoint!.waitForSelector('::-p-aria([name="Signaling URL"][role="textbox"])');
    await url!.click({ count: 3 });
    await url!.type('http//not a url');
    await (await endpoint!.waitForSelector('::-p-aria([name="Save"][role="button"])'))!.click();
    const error = await url!.evaluate((el) => ({
      invalid: el.getAttribute('aria-invalid'),
      focused: document.activeElement === el,
      description: (el.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    }));
    expect(error).toMatchObject({ invalid: 'true', focused: true });
    expect(error.description).toMatch(/is not a URL/);

    const controls = await dashboard.waitForSelector('::-p-aria([name="Node controls"][role="region"])');
    const box = await controls!.waitForSelector('::-p-aria([name="Node or user ID"][role="textbox"])');
    await box!.type('not-an-id');
    await (await controls!.waitForSelector('::-p-aria([name="Block"][role="button"])'))!.click();
    await controls!.waitForSelector('.field-error');

    // Network settings: a TURN server without its username or credential, refused at its fields.
    const network = await dashboard.waitForSelector('::-p-aria([name="Network settings"][role="region"])');
    await (await network!.waitForSelector('::-p-aria([name="Add ICE server"][role="button"])'))!.click();
    await (await network!.waitForSelector('::-p-aria([name="URLs of ICE server 1"][role="textbox"])'))!.type('turn:127.0.0.1:3478');
    await (await network!.waitForSelector('::-p-aria([name="Apply network settings"][role="button"])'))!.click();
    await network!.waitForSelector('.field-error');

    await expectNoViolations(dashboard, 'dashboard with refused input');
    await (await network!.waitForSelector('::-p-aria([name="Reset"][role="button"])'))!.click();
    const after = await extension.snapshot();
    expect(after.signaling.url).toBe(before.signaling.url);
    expect(after.controls.blocked).toEqual(before.controls.blocked);

    await (await endpoint!.waitForSelector('::-p-aria([name="Cancel"][role="button"])'))!.click();
  });
  it('the block list, Undo offers, the endpoint trial and every confirmation dialog have no violations', async () => {
    const region = async (page: Page, name: string) => (await page.waitForSelector(`::-p-aria([name="${name}"][role="region"])`))!;
    const button = async (scope: Page | ElementHandle, name: string) => (await scope.waitForSelector(`::-p-aria([name="${name}"][role="button"])`))!;
    const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent ?? null);
    await dashboard.bringToFront();

    // Blocking a user ID asks first, in an alertdialog whose focus starts on Cancel.
    const controls = await region(dashboard, 'Node controls');
    const box = (await controls.waitForSelector('::-p-aria([name="Node or user ID"][role="textbox"])'))!;
    await box.click({ count: 3 });
    await box.type(`u${'c'.repeat(26)}`);
    await (await button(controls, 'Block')).click();
    const blockUser = await openDialog(dashboard);
    expect(await blockUser.evaluate((d) => [d.getAttribute('role'), document.activeElement?.textContent])).toEqual(['alertdialog', 'Cancel']);
    await expectNoViolations(dashboard, 'dashboard, block-a-user dialog');
    await confirmDialog(dashboard);
    // The box empties itself once the block is saved: replace whatever it holds at this moment.
    await dashboard.waitForFunction((el) => (el as HTMLInputElement).value === '', { timeout: 5000, polling: 50 }, box);
    await box.type(`n${'c'.repeat(26)}`);
    await (await button(controls, 'Block')).click();
    await dashboard.waitForFunction(() => document.querySelectorAll('tr[data-block-id]').length >= 2, { timeout: 5000, polling: 50 });

    // A note, and an Undo offer beside a switch.
    const list = await region(dashboard, 'Block list');
    const note = (await list.waitForSelector(`::-p-aria([name="Note for n${'c'.repeat(26)}"][role="textbox"])`))!;
    await note.type('seen spamming');
    await note.press('Enter');
    await (await controls.waitForSelector('::-p-aria([name="Pause outgoing connections"][role="switch"])'))!.click();
    await button(controls, 'Undo');
    await expectNoViolations(dashboard, 'dashboard with a block list and an Undo offer');
    await (await button(controls, 'Undo')).click();

    // Stop signaling: a radio group in an alertdialog; Escape cancels and the focus goes back.
    const signaling = await region(dashboard, 'Signaling endpoint');
    await (await button(signaling, 'Stop signaling')).click();
    const stop = await openDialog(dashboard);
    expect(await stop.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('15m');
    await expectNoViolations(dashboard, 'dashboard, stop-signaling dialog');
    await dashboard.keyboard.press('Escape');
    await dashboard.waitForFunction(() => !document.querySelector('dialog[open]'), { timeout: 3000, polling: 50 });
    expect(await focusedText(dashboard)).toBe('Stop signaling');
    expect((await extension.snapshot()).signaling.stoppedByUser).toBe(false);

    // Turning the P2P network off, disconnecting a peer, clearing the block list: each asks first.
    const p2p = (await dashboard.waitForSelector(P2P_SWITCH))!;
    await p2p.click();
    await openDialog(dashboard);
    await expectNoViolations(dashboard, 'dashboard, disable-P2P dialog');
    await cancelDialog(dashboard);
    expect(await p2p.evaluate((el) => [el.getAttribute('aria-checked'), el === document.activeElement])).toEqual(['true', true]);
    const connections = await region(dashboard, 'Connections');
    await (await connections.waitForSelector('tr[data-node-id] button[aria-label^="Disconnect "]'))!.click();
    await openDialog(dashboard);
    await expectNoViolations(dashboard, 'dashboard, disconnect dialog');
    await cancelDialog(dashboard);
    await (await button(list, 'Clear block list')).click();
    await openDialog(dashboard);
    await expectNoViolations(dashboard, 'dashboard, clear-block-list dialog');
    await cancelDialog(dashboard);

    // The import preview: a dialog listing the IDs a file adds.
    const dir = await mkdtemp(path.join(tmpdir(), 'meshdeck-a11y-'));
    try {
      const file = path.join(dir, 'block-list.json');
      const entry = (id: string) => ({ id, kind: 'node' as const, at: Date.now(), note: 'from a file', label: '', v: 1, removed: false });
      await writeFile(file, exportBlockList([entry(`n${'f'.repeat(26)}`), entry(`n${'g'.repeat(26)}`)], Date.now()));
      const input = (await list.waitForSelector('input[type="file"]'))! as ElementHandle<HTMLInputElement>;
      await input.uploadFile(file);
      const preview = await openDialog(dashboard);
      expect(await preview.evaluate((d) => [d.getAttribute('role'), d.textContent])).toEqual([null, expect.stringContaining('Adds 2, updates notes of 0')]);
      await expectNoViolations(dashboard, 'dashboard, import preview');
      await cancelDialog(dashboard);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    // New endpoints on trial: "Keep these settings?", and the settings history open.
    await (await button(signaling, 'Change endpoint')).click();
    const url = (await signaling.waitForSelector('::-p-aria([name="Signaling URL"][role="textbox"])'))!;
    await url.click({ count: 3 });
    await url.type('http://127.0.0.1:9/peerjs');
    await (await button(signaling, 'Save')).click();
    await until(() => signaling.evaluate((el) => (el as HTMLElement).innerText), 5000, 'trial prompt', (t) => /Keep these settings\? Rolling back in \d+ s/.test(t));
    await (await signaling.waitForSelector('summary'))!.click();
    await until(() => signaling.evaluate((el) => ({ items: el.querySelectorAll('.history-list li').length, text: (el as HTMLElement).innerText })), 10_000, 'the settings history listed', (h) => h.items > 0);
    await expectNoViolations(dashboard, 'dashboard, endpoint trial and settings history');
    await (await button(signaling, 'Revert now')).click();
    await until(() => extension.snapshot(), 20_000, 'endpoint reverted', (s) => s.signaling.url === 'http://127.0.0.1:9000/peerjs' && s.signaling.state === 'open');

    // The popup's own confirmation.
    const popup = await extension.openPopup();
    await popup.waitForFunction(() => document.querySelector('[data-field="blocked-count"]')?.textContent === 'Blocked: 2', { timeout: 5000, polling: 50 });
    await (await popup.waitForSelector(P2P_SWITCH))!.click();
    await openDialog(popup);
    await expectNoViolations(popup, 'popup, disable-P2P dialog');
    await cancelDialog(popup);
    await popup.close();
  }, 120_000);
});
