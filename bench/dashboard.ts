/**
 * Dashboard benchmark (docs/benchmarks.md, dashboard.json), in a loopback-only namespace
 * (scripts/bench.mjs sets that up and builds the extension first).
 *
 * 1. Update cost. bench/dashboard/page.tsx (the real Dashboard component and models with a fake view
 *    client; never shipped) is bundled with esbuild into a temp folder and served from a loopback HTTP
 *    server to headless Chromium. The page gets a node with 200 ready connections, 200 discovered
 *    nodes, 5 minutes and 24 hours of history and a full log; then, once a frame, a stats update: a
 *    new snapshot in which every row's figures changed, plus that second's history tick. Measured in
 *    the page: from handing the messages to the client until every microtask they caused has run
 *    (Preact's re-renders and the texts bound to signals), all within one task so that no frame
 *    slips in: the script time of one update. Reported with it: the same plus the forced
 *    style/layout, and the charts' setData in the next frame.
 * 2. First render. The real options page of the built extension, with the real local server and two
 *    demo peers: opened → all panels show the first snapshot (`data-first-render-at`, options/main.tsx).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import puppeteer, { type Page } from 'puppeteer';
import type { MeshNode } from '../core/node/node';
import { startLocalServer } from '../server/local-server';
import { startNodePeer } from '../server/node-peer';
import { chromiumPath } from '../scripts/chromium-extension';
import { launchExtensionBrowser } from '../tests/support/extension-browser';
import { openDashboard } from '../tests/support/ui';
import { until } from '../tests/support/until';
import { median, percentile, round, writeResult } from './support/result';

const CONNECTIONS = 200;
const WARMUP = 20;
const UPDATES = Number(process.env.BENCH_RUNS ?? 200);
const SORTED_UPDATES = Math.max(100, Math.round(UPDATES / 2));
const FIRST_RENDER_RUNS = Number(process.env.BENCH_FIRST_RENDER_RUNS ?? 10);

import type { UpdateSample } from './dashboard/page';

async function bundlePage(dir: string): Promise<void> {
  await build({
    entryPoints: { page: 'bench/dashboard/page.tsx' },
    outdir: dir,
    bundle: true,
    format: 'esm',
    minify: true,
    target: 'chrome120',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { 'process.env.NODE_ENV': '"production"', 'import.meta.env': '{}' },
    logLevel: 'warning',
  });
  const html = `<!doctype html><html lang="en" class="view-dashboard"><head><meta charset="utf-8"><meta name="color-scheme" content="light dark">
<title>Meshdeck dashboard benchmark</title><link rel="stylesheet" href="/page.css"></head><body><div id="app"></div><script type="module" src="/page.js"></script></body></html>`;
  await writeFile(path.join(dir, 'index.html'), html);
}

async function serve(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((req, res) => {
    const file = path.join(dir, path.normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, ''));
    const target = file.endsWith(path.sep) ? path.join(file, 'index.html') : file;
    readFile(target).then(
      (body) => {
        res.writeHead(200, { 'content-type': types[path.extname(target)] ?? 'application/octet-stream' });
        res.end(body);
      },
      () => {
        res.writeHead(404);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Feeds the page's dashboard and measures `count` updates there (bench/dashboard/page.tsx `run`). */
async function measureUpdates(page: Page, count: number, warmup: number, sortKey: string | null): Promise<UpdateSample[]> {
  // A plain function string: tsx would wrap a function literal's inner names in helpers the page lacks.
  return page.evaluate(
    `window.meshdeckBench.run(${CONNECTIONS}, ${count}, ${warmup}, ${JSON.stringify(sortKey)})`,
  ) as Promise<UpdateSample[]>;
}

export async function measureUpdateCost(): Promise<{ unsorted: UpdateSample[]; sorted: UpdateSample[] }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'meshdeck-bench-dashboard-'));
  await bundlePage(dir);
  const http = await serve(dir);
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
    defaultViewport: { width: 1440, height: 1000 },
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(http.url);
    await page.waitForFunction(() => 'meshdeckBench' in window);
    const unsorted = await measureUpdates(page, UPDATES, WARMUP, null);
    const sorted = await measureUpdates(page, SORTED_UPDATES, WARMUP, 'latency');
    if (errors.length) throw new Error(`the page failed: ${errors.join('; ')}`);
    return { unsorted, sorted };
  } finally {
    await browser.close();
    await http.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function measureFirstRender(): Promise<number[]> {
  const server = await startLocalServer({ port: 9000 });
  const peers: MeshNode[] = [];
  const extension = await launchExtensionBrowser();
  try {
    for (let i = 0; i < 2; i++) peers.push((await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl] })).node);
    await until(() => extension.snapshot(), 30_000, 'the extension has the two demo peers', (s) => s.totals.peers === 2);
    const times: number[] = [];
    for (let run = 0; run < FIRST_RENDER_RUNS; run++) {
      const page = await openDashboard(extension, { viewport: null });
      times.push(Number(await page.evaluate(() => document.documentElement.dataset.firstRenderAt)));
      await page.close();
    }
    return times;
  } finally {
    await extension.close();
    for (const peer of peers) peer.stop();
    await server.close();
  }
}

async function main(): Promise<void> {
  const { unsorted, sorted } = await measureUpdateCost();
  const firstRender = await measureFirstRender();
  const pick = (samples: UpdateSample[], key: keyof UpdateSample) => samples.map((s) => s[key]);
  await writeResult('dashboard', {
    runs: unsorted.length,
    update_ms_p50_200_connections: round(percentile(pick(unsorted, 'script'), 50), 2),
    update_ms_p95_200_connections: round(percentile(pick(unsorted, 'script'), 95), 2),
    dashboard_first_render_ms_median: round(median(firstRender)!, 1),
    update_with_layout_ms_p50_200_connections: round(percentile(pick(unsorted, 'layout'), 50), 2),
    update_with_layout_ms_p95_200_connections: round(percentile(pick(unsorted, 'layout'), 95), 2),
    charts_frame_ms_p50: round(percentile(pick(unsorted, 'frame'), 50), 2),
    charts_frame_ms_p95: round(percentile(pick(unsorted, 'frame'), 95), 2),
    sorted_runs: sorted.length,
    update_ms_p50_200_connections_sorted_by_latency: round(percentile(pick(sorted, 'script'), 50), 2),
    update_ms_p95_200_connections_sorted_by_latency: round(percentile(pick(sorted, 'script'), 95), 2),
    first_render_runs: firstRender.length,
    samples: {
      update_ms: pick(unsorted, 'script').map((v) => round(v, 2)),
      dashboard_first_render_ms: firstRender.map((v) => round(v, 1)),
    },
    notes:
      'update = one snapshot with all 200 rows changed + its history tick, timed in headless Chromium from handing both to the ' +
      'view client until every microtask they caused ran (Preact re-renders, texts bound to signals), i.e. script only; ' +
      '*_with_layout adds the forced style/layout; charts_frame = the next frame\'s requestAnimationFrame callbacks (uPlot setData ' +
      'of three charts). The page is bench/dashboard/page.tsx (real components and models, fake client), bundled with esbuild and ' +
      'served on loopback. First render: the real options page of the built extension with two demo peers, opened → ' +
      'data-first-render-at (performance.now(), so from navigation start).',
  });
}

// Run by scripts/bench.mjs (`npx tsx bench/dashboard.ts`); importable for a partial run. Exits
// explicitly: the demo peers' GUN clients keep reconnect timers after stop(), which would keep the
// process (and `npm run bench`) waiting forever once the results are written.
if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  await main();
  process.exit(0);
}
