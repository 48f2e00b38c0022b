/**
 * The extension under attack, as the hostile e2e files set it up: Meshdeck's relay without its record
 * screen (the node's own screen and budgets are under test), the real extension in Chromium with its
 * popup and its dashboard each in a window of their own, and `assertLive`, which says the views still
 * answer and follow the node.
 */
import type { Page } from 'puppeteer';
import { expect } from 'vitest';
import type { LogEntry } from '../../core/lib/event-log';
import type { MeshNode } from '../../core/node/node';
import type { NodeSnapshot } from '../../core/node/observed-state';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { launchExtensionBrowser, readPopup, request, type ExtensionBrowser } from './extension-browser';
import { openDashboard } from './ui';
import { until } from './until';
import { within } from './view-probes';

type Hook = { meshdeck: { host: { node: MeshNode } } };

export interface AttackedExtension {
  server: LocalServer;
  extension: ExtensionBrowser;
  popup: Page;
  dashboard: Page;
  /** The node under attack. */
  targetId: string;
  /** The rows of the dashboard's Connections table, each with its details (score, last error). */
  dashboardRows(): Promise<{ id: string; text: string }[]>;
  /** The node host's event log. */
  hostLog(): Promise<LogEntry[]>;
  /**
   * The popup shows the node enabled and answers; the background answers requests from the popup and
   * from the dashboard; and both views follow the node: the dashboard lists the snapshot's peers and
   * the popup its number of ready ones.
   */
  assertLive(after: string): Promise<void>;
  /** Closes the browser (throws if any extension context counted an uncaught error), then the server. */
  close(): Promise<void>;
}

export const peerOf = (s: NodeSnapshot, nodeId: string) => s.peers.find((p) => p.nodeId === nodeId);

export async function startAttackedExtension(): Promise<AttackedExtension> {
  const server = await startLocalServer({ port: 9000, screenRecords: false });
  const extension = await launchExtensionBrowser();
  const popup = await extension.openPopup();
  // A window of its own: a tab behind another is hidden, gets no animation frames, and puppeteer's
  // selectors (which poll on them) would wait forever for the popup.
  const dashboard = await openDashboard(extension, { type: 'window', viewport: { width: 1400, height: 1000 } });
  for (const page of [popup, dashboard]) expect(await page.evaluate(() => document.visibilityState)).toBe('visible');
  const snapshot = await until(
    () => extension.snapshot(),
    30_000,
    'the node registered and on the relay',
    (s) => s.signaling.state === 'open' && s.rendezvous.relays.every((r) => r.state === 'open'),
  );
  const dashboardRows = () =>
    dashboard.evaluate(() => [...document.querySelectorAll('table.connections-live tr[data-node-id]')].map((row) => ({ id: row.getAttribute('data-node-id')!, text: row.closest('tbody')?.textContent ?? '' })));
  return {
    server,
    extension,
    popup,
    dashboard,
    targetId: snapshot.nodeId,
    dashboardRows,
    hostLog: async () => (await extension.host()).evaluate(() => (globalThis as unknown as Hook).meshdeck.host.node.log.all()),
    async assertLive(after) {
      const shown = await within(readPopup(popup), 10_000, `popup after ${after}`);
      expect(shown.enabled).toBe(true);
      for (const page of [popup, dashboard]) {
        const reply = await within(request(page, { type: 'settings:get' }), 10_000, `settings:get after ${after}`);
        expect(reply).toMatchObject({ ok: true, value: { enabled: true } });
      }
      await until(
        async () => {
          const [rows, s, seen] = await Promise.all([dashboardRows(), extension.snapshot(), readPopup(popup)]);
          return { rows: rows.map((r) => r.id).sort(), peers: s.peers.map((p) => p.nodeId).sort(), popupPeers: seen.peers, ready: s.totals.peers };
        },
        20_000,
        `views follow the node after ${after}`,
        (v) => JSON.stringify(v.rows) === JSON.stringify(v.peers) && v.popupPeers === v.ready,
      );
    },
    async close() {
      const t = Date.now();
      try {
        await extension.close();
      } finally {
        console.log(`hostile: browser closed in ${Date.now() - t} ms`);
        await server.close();
      }
    },
  };
}
