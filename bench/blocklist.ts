/**
 * Block list benchmark (docs/benchmarks.md, blocklist.json): two real Chromium profiles with the
 * built extension and the real local server, in a loopback-only namespace (scripts/bench.mjs).
 *
 * - block_to_close_ms_median: the dashboard's `Block` pressed (A) → the connection closed on both
 *   sides, read from each node's own close event; page clocks share the machine's clock.
 * - storage_writes_per_block: storage.sync write operations (onChanged events) one block causes.
 * - entries_fit_in_sync: the largest block list that core's layout keeps wholly in storage.sync,
 *   then written into the real chrome.storage.sync to prove the browser accepts it.
 */
import type { ElementHandle } from 'puppeteer';
import { layOut, type BlockEntry } from '../core/blocklist/block-list';
import { startLocalServer } from '../server/local-server';
import { fakeId } from '../tests/support/ids';
import { launchExtensionBrowser, nextPeerEvent, request, type ExtensionBrowser } from '../tests/support/extension-browser';
import { openDashboard } from '../tests/support/ui';
import { until } from '../tests/support/until';
import { median, round, writeResult } from './support/result';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);



/** Most entries `layOut` keeps in sync, with a third of them carrying a note (a realistic list). */
function entriesThatFit(): number {
  const entry = (i: number): BlockEntry => ({
    id: fakeId(i), kind: 'node', at: 1_700_000_000_000 + i * 1000, note: i % 3 ? '' : 'spam node in the public room', label: '', v: 1_700_000_000_000 + i * 1000, removed: false,
  });
  let fit = 0;
  for (let n = 500; n <= 5000; n += 50) {
    if (layOut(Array.from({ length: n }, (_, i) => entry(i))).overflow.length > 0) break;
    fit = n;
  }
  for (let n = fit + 1; n < fit + 50; n++) {
    if (layOut(Array.from({ length: n }, (_, i) => entry(i))).overflow.length > 0) break;
    fit = n;
  }
  return fit;
}

async function main(): Promise<void> {
  const server = await startLocalServer({ port: 9000 });
  const browsers: ExtensionBrowser[] = [];
  try {
    for (let i = 0; i < 2; i++) browsers.push(await launchExtensionBrowser());
    const [A, B] = browsers as [ExtensionBrowser, ExtensionBrowser];
    const [hostA, hostB] = await Promise.all([A.host(), B.host()]);
    const aId = (await A.snapshot()).nodeId;
    const bId = (await B.snapshot()).nodeId;
    const dashboard = await openDashboard(A, { viewport: null });
    const controls = (await dashboard.waitForSelector('::-p-aria([name="Node controls"][role="region"])'))!;
    const box = (await controls.waitForSelector('::-p-aria([name="Node or user ID"][role="textbox"])')) as ElementHandle<HTMLInputElement>;
    const button = (await controls.waitForSelector('::-p-aria([name="Block"][role="button"])'))!;
    await dashboard.evaluate(() => {
      const counter = globalThis as unknown as { syncWrites: number };
      counter.syncWrites = 0;
      chrome.storage.onChanged.addListener((_changes, area) => {
        if (area === 'sync') counter.syncWrites++;
      });
    });

    const times: number[] = [];
    const writes: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      await until(() => A.snapshot(), 20_000, 'A and B ready', (s) => s.peers.some((p) => p.nodeId === bId && p.state === 'ready'));
      const closedAtA = nextPeerEvent(hostA, 'peer:close', bId);
      const closedAtB = nextPeerEvent(hostB, 'peer:close', aId);
      await box.click({ count: 3 });
      await box.type(bId);
      const writesBefore = await dashboard.evaluate(() => (globalThis as unknown as { syncWrites: number }).syncWrites);
      const pressedAt = await button.evaluate((el) => {
        const at = performance.timeOrigin + performance.now();
        (el as HTMLButtonElement).click();
        return at;
      });
      times.push(Math.max(await closedAtA, await closedAtB) - pressedAt);
      await new Promise((r) => setTimeout(r, 300));
      writes.push((await dashboard.evaluate(() => (globalThis as unknown as { syncWrites: number }).syncWrites)) - writesBefore);
      await request(dashboard, { type: 'block:remove', id: bId });
    }

    // The largest list core lays out wholly in sync, written into the real storage.sync.
    const fit = entriesThatFit();
    const layout = layOut(Array.from({ length: fit }, (_, i): BlockEntry => ({
      id: fakeId(i), kind: 'node', at: 1_700_000_000_000 + i * 1000, note: i % 3 ? '' : 'spam node in the public room', label: '', v: 1_700_000_000_000 + i * 1000, removed: false,
    })));
    const accepted = await dashboard.evaluate(async (items) => {
      try {
        await chrome.storage.sync.set(items);
        return { ok: true, bytes: await chrome.storage.sync.getBytesInUse(null) };
      } catch (error) {
        return { ok: false, error: String(error) };
      }
    }, layout.sync);
    if (!accepted.ok) throw new Error(`chrome.storage.sync refused ${fit} entries: ${accepted.error}`);

    await writeResult('blocklist', {
      runs: RUNS,
      block_to_close_ms_median: round(median(times)!),
      storage_writes_per_block: median(writes)!,
      entries_fit_in_sync: fit,
      sync_bytes_in_use_at_fit: accepted.bytes,
      samples: { block_to_close_ms: times.map((t) => round(t)), storage_writes: writes },
      notes: 'entries_fit_in_sync: a third of the entries carry a 28-character note; the layout was accepted by the real chrome.storage.sync',
    });
  } finally {
    await Promise.all(browsers.map((b) => b.close()));
    await server.close();
  }
}

await main();
