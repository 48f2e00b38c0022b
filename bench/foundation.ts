/**
 * Foundation benchmark (docs/benchmarks.md, foundation.json). Two real Chromium profiles with the built
 * extension and the real local server, in a loopback-only namespace (scripts/bench.mjs sets that up).
 *
 * Ready time and the raw PeerJS baseline are measured in the same run, alternating, between the same
 * two offscreen documents, so machine noise hits both alike. Times are taken in the pages with
 * `performance.timeOrigin + performance.now()`: both browsers share the machine's clock.
 */
import { startLocalServer } from '../server/local-server';
import { launchExtensionBrowser, request, type ExtensionBrowser } from '../tests/support/extension-browser';
import { until } from '../tests/support/until';
import { measureRawOpen, measureReady } from './support/ready-time';
import { median, pageNow, round, writeResult } from './support/result';
import { pageGzipBytes } from './support/bundle-size';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);

type Hook = {
  meshdeck: {
    host: { node: import('../core/node/node').MeshNode };
    Peer: typeof import('peerjs').Peer;
  };
};




async function main(): Promise<void> {
  const server = await startLocalServer({ port: 9000 });
  const browsers: ExtensionBrowser[] = [];
  try {
    for (let i = 0; i < 2; i++) browsers.push(await launchExtensionBrowser());
    const [A, B] = browsers as [ExtensionBrowser, ExtensionBrowser];
    const [hostA, hostB] = await Promise.all([A.host(), B.host()]);
    const [popupA] = await Promise.all([A.openPopup(), B.openPopup()]);
    const aId = (await A.snapshot()).nodeId;
    const bId = (await B.snapshot()).nodeId;
    await until(() => A.snapshot(), 20_000, 'A and B connected', (s) => s.totals.peers === 1);

    // 1. Enabling a node whose peer is already up → its first ready peer, found through GUN.
    const enableTimes: number[] = [];
    for (let run = 0; run < Math.min(RUNS, 10); run++) {
      await request(popupA, { type: 'settings:update', patch: { enabled: false } });
      await until(() => B.snapshot(), 10_000, 'B drops A', (s) => s.peers.length === 0);
      const firstReady = hostA.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const { node } = (globalThis as unknown as Hook).meshdeck.host;
            const off = node.events.on('peer:ready', () => {
              off();
              resolve(performance.timeOrigin + performance.now());
            });
          }),
      );
      const enabledAt = await pageNow(popupA);
      await request(popupA, { type: 'settings:update', patch: { enabled: true } });
      enableTimes.push((await firstReady) - enabledAt);
    }

    // 2. Popup opened → first stats rendered.
    const popupTimes: number[] = [];
    for (let run = 0; run < Math.min(RUNS, 10); run++) {
      const page = await A.openPopup();
      const at = await page.waitForFunction(() => document.documentElement.dataset.firstStatsAt, { timeout: 10_000 });
      popupTimes.push(Number(await at.jsonValue()));
      await page.close();
    }

    // 3. Ready vs raw PeerJS open, alternating, with auto-dial off so only our dials connect.
    await request(popupA, { type: 'settings:update', patch: { maxPeers: 0 } });
    const [popupB] = await B.browser.pages().then((pages) => pages.filter((p) => p.url().endsWith('popup.html')));
    await request(popupB!, { type: 'settings:update', patch: { maxPeers: 0 } });
    await hostA.evaluate((id) => (globalThis as unknown as Hook).meshdeck.host.node.disconnect(id, 'shutdown'), bId);
    await until(() => B.snapshot(), 5000, 'B forgets A', (s) => s.peers.length === 0);
    const ready: number[] = [];
    const raw: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      raw.push(await measureRawOpen(hostA, hostB, server.signalingUrl, run));
      ready.push(await measureReady(hostA, hostB, aId, bId));
    }

    // 4. Heartbeat round trip on a ready connection, after ten heartbeats.
    await hostA.evaluate((id) => void (globalThis as unknown as Hook).meshdeck.host.node.dial(id), bId);
    await until(() => A.snapshot(), 10_000, 'first pong', (s) => s.peers[0]?.rttMs !== null && s.peers[0] !== undefined);
    await new Promise((r) => setTimeout(r, 20_000));
    const rttMs = (await A.snapshot()).peers[0]!.rttMs!;

    const readyMedian = median(ready)!;
    const rawMedian = median(raw)!;
    await writeResult('foundation', {
      runs: RUNS,
      ready_ms_median: round(readyMedian),
      raw_peerjs_open_ms_median: round(rawMedian),
      ready_ratio: round(readyMedian / rawMedian, 3),
      heartbeat_rtt_ms_median: round(rttMs),
      enable_to_first_peer_ms_median: round(median(enableTimes)!),
      popup_first_render_ms_median: round(median(popupTimes)!),
      popup_bundle_gzip_bytes: await pageGzipBytes('popup.html'),
      samples: { ready_ms: ready.map((v) => round(v)), raw_peerjs_open_ms: raw.map((v) => round(v)), enable_to_first_peer_ms: enableTimes.map((v) => round(v)), popup_first_render_ms: popupTimes.map((v) => round(v)) },
      notes: 'enable and popup figures over min(runs, 10) samples; heartbeat RTT is the node\'s own median over its last 15 pongs after 20 s',
    });
  } finally {
    await Promise.all(browsers.map((b) => b.close()));
    await server.close();
  }
}


await main();
