/**
 * axe-core on the real popup and Node Dashboard (issue 4: 0 violations), in light and dark, with live
 * data: one headless Chromium with the built extension, the real local server and two Node demo peers,
 * in a loopback-only network namespace (scripts/test.mjs). Also the dashboard's refused-input states
 * (a malformed endpoint, a bad ID to block), which must be as accessible as the happy path.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../core/node';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { startNodePeer } from '../../server/node-peer';
import { launchExtensionBrowser, waitFor, type ExtensionBrowser } from '../support/extension-browser';

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
    await waitFor(() => extension.snapshot(), (s) => s.peers.filter((p) => p.state === 'ready').length === 2, 30_000, 'two ready demo peers');
  });

  afterAll(async () => {
    await extension?.close();
    for (const peer of peers) peer.stop();
    await server?.close();
  });

  it('the popup has no violations, with its figures shown', async () => {
    const popup = await extension.openPopup();
    await popup.waitForFunction(() => document.querySelector('[data-stat="peers"]')?.textContent === '2', { timeout: 10_000 });
    await expectNoViolations(popup, 'popup');
    await popup.close();
  });

  it('the dashboard has no violations, with every panel showing live data', async () => {
    dashboard = await extension.browser.newPage();
    await dashboard.setViewport({ width: 1280, height: 900 });
    await dashboard.goto(`chrome-extension://${extension.extensionId}/options.html`);
    await dashboard.waitForFunction(() => document.documentElement.dataset.firstRenderAt, { timeout: 10_000 });
    await dashboard.waitForFunction(() => document.querySelectorAll('.connections tr[data-node-id]').length === 2, { timeout: 10_000 });
    // The live parts: a point of history on the charts and the log's first entries.
    await dashboard.waitForFunction(() => !document.querySelector('.chart-empty') && document.querySelector('.log-table tbody tr'), { timeout: 10_000 });
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
    await waitFor(() => statusText(mesh), (t) => /Found \d+ new nodes?, dialling \d+/.test(t), 5000, 'refresh result');

    const endpoint = (await dashboard.waitForSelector('::-p-aria([name="Signaling endpoint"][role="region"])'))!;
    await (await endpoint.waitForSelector('::-p-aria([name="Copy node ID"][role="button"])'))!.click();
    await waitFor(() => statusText(endpoint), (t) => t.includes('Copied'), 5000, 'copied');
    const { nodeId } = await extension.snapshot();
    expect(await dashboard.evaluate(() => navigator.clipboard.readText())).toBe(nodeId);

    const diagnostics = (await dashboard.waitForSelector('::-p-aria([name="Diagnostics"][role="region"])'))!;
    await (await diagnostics.waitForSelector('::-p-aria([name="Download diagnostics"][role="button"])'))!.click();
    await waitFor(() => statusText(diagnostics), (t) => /Saved meshdeck-diagnostics-[\dT-]+\.json/.test(t), 5000, 'diagnostics saved');
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

    await expectNoViolations(dashboard, 'dashboard with refused input');
    const after = await extension.snapshot();
    expect(after.signaling.url).toBe(before.signaling.url);
    expect(after.controls.blocked).toEqual(before.controls.blocked);

    await (await endpoint!.waitForSelector('::-p-aria([name="Cancel"][role="button"])'))!.click();
  });
});
