/**
 * Polish benchmark (docs/benchmarks.md, polish.json), in a loopback-only namespace (scripts/bench.mjs
 * builds the extension first):
 * - the popup's gzip weight as users get it (the store build);
 * - the dashboard's first render with the overview (bench/dashboard.ts measureFirstRender);
 * - badge latency: a demo peer becomes ready in the node host (its peer:ready, host clock) → the
 *   toolbar badge holds the new count (polled every 5 ms in the service worker, its clock). Both
 *   clocks are performance.timeOrigin + now() on one machine;
 * - the store zips' sizes (`npm run zip`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { startLocalServer } from '../server/local-server';
import { startNodePeer } from '../server/node-peer';
import { launchExtensionBrowser, nextPeerEvent, type ExtensionBrowser } from '../tests/support/extension-browser';
import { until } from '../tests/support/until';
import { pageGzipBytes } from './support/bundle-size';
import { measureFirstRender } from './dashboard';
import { median, round, writeResult } from './support/result';
import { version } from '../package.json';
import { buildExtension } from '../scripts/build-extension.mjs';

const BADGE_RUNS = Number(process.env.BENCH_RUNS ?? 10);

/** Resolves, in the worker's clock, once the badge text is `text`. */
async function badgeBecomes(extension: ExtensionBrowser, text: string): Promise<number> {
  const worker = await extension.worker();
  return worker.evaluate(
    (want) =>
      new Promise<number>((resolve) => {
        const poll = setInterval(() => {
          void chrome.action.getBadgeText({}).then((shown) => {
            if (shown !== want) return;
            clearInterval(poll);
            resolve(performance.timeOrigin + performance.now());
          });
        }, 5);
      }),
    text,
  );
}

async function measureBadge(): Promise<number[]> {
  const server = await startLocalServer({ port: 9000 });
  const extension = await launchExtensionBrowser();
  try {
    const host = await extension.host();
    await until(() => extension.snapshot(), 20_000, 'signaling open', (s) => s.signaling.state === 'open');
    const times: number[] = [];
    for (let run = 0; run < BADGE_RUNS; run++) {
      const ready = startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl] });
      const shown = badgeBecomes(extension, '1');
      const { node } = await ready;
      const [readyAt, shownAt] = await Promise.all([nextPeerEvent(host, 'peer:ready', node.nodeId), shown]);
      times.push(shownAt - readyAt);
      node.stop();
      await badgeBecomes(extension, '0');
    }
    return times;
  } finally {
    await extension.close();
    await server.close();
  }
}

/**
 * `npm run zip`, then the sizes of the two store zips it wrote for this version. The zip builds the
 * store flavour into .output/: the test build is put back after it, for the suites and benches that follow.
 */
function measureZips(): { chrome: number; firefox: number } {
  const result = spawnSync('npm', ['run', 'zip'], { stdio: ['ignore', 'ignore', 'inherit'] });
  buildExtension();
  if (result.status !== 0) throw new Error('npm run zip failed');
  const files = readdirSync('.output');
  const size = (browser: string) => {
    const file = files.find((f) => f.endsWith(`-${version}-${browser}.zip`));
    if (!file) throw new Error(`no ${browser} zip of ${version} in .output (${files.join(', ')})`);
    return statSync(path.join('.output', file)).size;
  };
  return { chrome: size('chrome'), firefox: size('firefox') };
}


async function main(): Promise<void> {
  const popup = await pageGzipBytes('popup.html');
  const firstRender = await measureFirstRender();
  const badge = await measureBadge();
  const zips = measureZips();
  await writeResult('polish', {
    runs: badge.length,
    popup_bundle_gzip_bytes: popup,
    dashboard_first_render_ms_median: round(median(firstRender)!),
    badge_update_ms_median: round(median(badge)!),
    chrome_zip_bytes: zips.chrome,
    firefox_zip_bytes: zips.firefox,
    first_render_runs: firstRender.length,
    samples: { dashboard_first_render_ms: firstRender.map((v) => round(v)), badge_update_ms: badge.map((v) => round(v)) },
    notes:
      'popup = popup.html with every chunk and stylesheet it loads, store build, gzip -9. First render: the real options page ' +
      'with two demo peers, navigation start → overview and every panel showing the first snapshot (data-first-render-at). ' +
      'Badge: peer:ready in the node host → chrome.action.getBadgeText shows the new count (5 ms polling in the service worker). ' +
      'Zips: npm run zip (wxt zip, store build).',
  });
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  await main();
  process.exit(0);
}
