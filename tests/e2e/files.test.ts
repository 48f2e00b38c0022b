/**
 * File sharing through WebTorrent between three real Chromium profiles with the extension, on the
 * local server's tracker (core/files, host-place/webtorrent-engine.ts): A shares a 5 MB file, B and C
 * see it listed in the room with its size and sharer, download it with progress, and hold the same
 * bytes (SHA-256). The WebTorrent chunk loads only then, and contacts nothing but the configured
 * loopback tracker, with no ICE server. Then the same through the dashboard's `Files` panel: share
 * a file, see it in another browser's panel, download, save and stop sharing, and the size limit.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FilesSnapshot } from '../../core/files/file-sharing';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/extension-browser';
import { openDashboard } from '../support/ui';
import { until } from '../support/until';

const SIZE = 5 * 1024 * 1024;

type Files = {
  snapshot(): FilesSnapshot;
  share(file: Blob, name: string): Promise<string>;
  download(ih: string): Promise<void>;
  downloaded(ih: string): Promise<Blob>;
};
type Hook = { meshdeck: { host: { node: { files: Files } }; instruments: { reached: { webSockets: string[]; iceServers: string[] } } } };

const files = (host: Page) => host.evaluate(() => (globalThis as unknown as Hook).meshdeck.host.node.files.snapshot());

describe('sharing a file in the room through WebTorrent', () => {
  let server: LocalServer;
  const nodes: ExtensionBrowser[] = [];

  beforeAll(async () => {
    server = await startLocalServer({ port: 9000 });
    for (let i = 0; i < 3; i++) nodes.push(await launchExtensionBrowser());
  });

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await server?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  let folder = '';
  const dashboard = async (node: ExtensionBrowser) => {
    const page = await openDashboard(node);
    return { page, region: (await page.waitForSelector('::-p-aria([name="Files"][role="region"])'))! };
  };
  /** The file input, found by its label (Chromium names a file input after its button too). */
  const shareInput = async (region: Awaited<ReturnType<typeof dashboard>>['region']) => {
    const input = (await region.waitForSelector('input[type="file"]')) as unknown as { uploadFile(path: string): Promise<void>; evaluate<T>(fn: (el: HTMLInputElement) => T): Promise<T> };
    expect(await input.evaluate((el) => el.labels?.[0]?.textContent)).toBe('Share a file');
    return input;
  };
  /** The list item of the file named `name`. */
  const itemOf = async (region: Awaited<ReturnType<typeof dashboard>>['region'], name: string) => {
    const label = await region.waitForSelector(`li .file-name ::-p-text(${name})`);
    return (await label!.evaluateHandle((el) => el.closest('li')!)) as unknown as typeof region;
  };
  const text = (region: { evaluate<T>(fn: (el: Element) => T): Promise<T> }) => region.evaluate((el) => el.textContent ?? '');

  let ih = '';
  let digest = '';

  it('A shares a 5 MB file; B and C see it listed with its size and who shares it', async () => {
    const a = await nodes[0]!.host();
    [ih, digest] = await a.evaluate(async (size) => {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i += 65_536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65_536)));
      const hash = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
      const shared = await (globalThis as unknown as Hook).meshdeck.host.node.files.share(new Blob([bytes]), 'five.bin');
      return [shared, hash] as [string, string];
    }, SIZE);
    expect(ih).toMatch(/^[0-9a-f]{40}$/);
    expect((await files(a)).shared).toEqual([expect.objectContaining({ ih, name: 'five.bin', size: SIZE })]);
    const aId = (await nodes[0]!.snapshot()).nodeId;
    for (const node of nodes.slice(1)) {
      const host = await node.host();
      const seen = await until(() => files(host), 20_000, 'the file listed in the room', (f) => f.room.some((file) => file.ih === ih));
      expect(seen.room.find((file) => file.ih === ih)).toEqual({ ih, name: 'five.bin', size: SIZE, sharedBy: [aId] });
    }
  });

  it('B and C download it with progress, and hold the same bytes', async () => {
    const hosts = await Promise.all(nodes.slice(1).map((node) => node.host()));
    // B's from its Files panel, which shows the bar and its figures while it runs; C's through the host.
    const b = await dashboard(nodes[1]!);
    const item = await itemOf(b.region, 'five.bin');
    const shown: string[] = [];
    const sampling = setInterval(() => {
      item
        .evaluate((el) => {
          const bar = el.querySelector('progress');
          return bar ? `${bar.getAttribute('aria-label')}: ${el.querySelector('.file-download-text')?.textContent}` : '';
        })
        .then((line) => line && shown.push(line), () => undefined);
    }, 50);
    await (await item.waitForSelector('::-p-aria([name="Download"][role="button"])'))!.click();
    await hosts[1]!.evaluate((id) => (globalThis as unknown as Hook).meshdeck.host.node.files.download(id), ih);
    // Both watched at once: the two downloads run side by side.
    await Promise.all(hosts.map(async (host) => {
      // Under way, the snapshot shows a fraction done, a speed and the peers it comes from.
      const underWay: FilesSnapshot['downloads'] = [];
      const done = await until(
        async () => {
          const f = await files(host);
          underWay.push(...f.downloads.filter((d) => d.ih === ih && d.state === 'fetching' && d.progress > 0 && d.progress < 1));
          return f;
        },
        60_000,
        'the download finished',
        (f) => f.downloads.some((d) => d.ih === ih && d.state !== 'fetching'),
      );
      expect(underWay.some((d) => d.downloadBytesPerSecond > 0 && d.peers >= 1)).toBe(true);
      expect(done.downloads.find((d) => d.ih === ih)).toMatchObject({ state: 'done', progress: 1, name: 'five.bin', size: SIZE, error: null });
      const got = await host.evaluate(async (id) => {
        const blob = await (globalThis as unknown as Hook).meshdeck.host.node.files.downloaded(id);
        return [...new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()))].map((b) => b.toString(16).padStart(2, '0')).join('');
      }, ih);
      expect(got).toBe(digest);
    }));
    clearInterval(sampling);
    expect(shown.some((line) => /^Download of five\.bin: \d+ % · .+\/s · \d+ peers?$/.test(line))).toBe(true);
    await (await item.waitForSelector('::-p-aria([name="Save"][role="button"])'))!.click();
    await until(() => text(b.region), 10_000, 'saved in B', (t) => t.includes('Saved five.bin.'));
  });

  it('fetches only from the configured loopback tracker, with no ICE server', async () => {
    for (const node of nodes) {
      const host = await node.host();
      const reached = await host.evaluate(() => (globalThis as unknown as Hook).meshdeck.instruments.reached);
      expect(reached.webSockets.filter((url) => !url.startsWith('ws://127.0.0.1:9000/'))).toEqual([]);
      expect(reached.iceServers).toEqual([]);
    }
  });

  it('through the Files panel: share a file, see it in another browser, download, save, stop sharing', async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'meshdeck-files-'));
    const file = path.join(folder, 'notes.txt');
    await writeFile(file, 'meshdeck '.repeat(20_000));
    const a = await dashboard(nodes[0]!);
    await (await shareInput(a.region)).uploadFile(file);
    await until(() => text(a.region), 15_000, 'shared in A’s panel', (t) => t.includes('Sharing notes.txt with the room') && /notes\.txt\s*180 kB/.test(t));

    const b = await dashboard(nodes[1]!);
    await until(() => text(b.region), 20_000, 'listed in B’s panel', (t) => t.includes('notes.txt') && t.includes('by '));
    const item = await itemOf(b.region, 'notes.txt');
    await (await item.waitForSelector('::-p-aria([name="Download"][role="button"])'))!.click();
    await (await item.waitForSelector('::-p-aria([name="Save"][role="button"])', { timeout: 30_000 }))!.click();
    await until(() => text(b.region), 10_000, 'saved in B', (t) => t.includes('Saved notes.txt.'));
    expect(await text(item)).toMatch(/downloaded/);

    // A shares five.bin too (the tests above): the button of the notes.txt row.
    await (await (await itemOf(a.region, 'notes.txt')).waitForSelector('::-p-aria([name="Stop sharing"][role="button"])'))!.click();
    await until(() => text(a.region), 10_000, 'A stopped sharing', (t) => t.includes('No longer sharing notes.txt.') && !/notes\.txt\s*180 kB/.test(t.split('Shared in the room')[0]!));
    await until(() => b.region.evaluate((el) => [...el.querySelectorAll('li .file-by')].length), 15_000, 'gone from B’s room list, five.bin left', (n) => n === 1);
  });

  it('refuses a file over the stated limit with a clear message', async () => {
    const big = path.join(folder, 'big.bin');
    await writeFile(big, Buffer.alloc(51 * 1024 * 1024));
    const a = await dashboard(nodes[0]!);
    await (await shareInput(a.region)).uploadFile(big);
    const alert = await until(() => a.region.evaluate((el) => el.querySelector('[role="alert"]')?.textContent ?? ''), 10_000, 'the limit said', (t) => t.length > 0);
    expect(alert).toBe('Could not share big.bin: it is 53.5 MB, and at most 50 MiB can be shared.');
  });
});
