/**
 * Firefox benchmark (docs/benchmarks.md, firefox.json): the Chrome build in Chromium and the Firefox
 * build in Firefox ESR, real, on the local server in a loopback-only namespace.
 *
 * - chrome_chrome_ready_ms_median / chrome_firefox_ready_ms_median / interop_ratio: a Chrome node dials
 *   another Chrome node, then the Firefox node, alternating in the same run: `dial()` → ready on both
 *   sides (each side's own clock stamp; all browsers share the machine's clock). *_raw_peerjs_open_*:
 *   the same pairs' raw PeerJS DataConnection open (no handshake), alternating with them: how much of
 *   the difference is the browsers' WebRTC rather than Meshdeck's handshake.
 * - idle_minutes_connected / background_restarts: the Firefox node left alone with 3 Node peers for
 *   5 minutes: the minutes until its first lost connection or restart, and its background restarts
 *   (counted by the background itself in test builds).
 * - web_ext_lint_errors: `web-ext lint` on the Firefox build.
 * - pairing_ms_median: Firefox joins with a code Chrome offered (`pairing:join`, as the dashboard sends
 *   it), not connected before: code entered → Firefox holds the user key and the merged block list.
 */
import webExt from 'web-ext';
import type { MeshNode } from '../core/node/node';
import { startLocalServer } from '../server/local-server';
import { startNodePeer } from '../server/node-peer';
import { installNodeWebRTC } from '../server/node-webrtc';
import { FIREFOX_EXTENSION_DIR } from '../scripts/firefox-extension';
import { launchExtensionBrowser, request, type ExtensionBrowser } from '../tests/support/extension-browser';
import { until } from '../tests/support/until';
import { measureRawOpen, measureReady } from './support/ready-time';
import { launchFirefoxExtension, readyHandshakes, settledConnections, type FirefoxExtensionBrowser } from '../tests/support/firefox-browser';
import { median, round, writeResult } from './support/result';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const IDLE_MS = Number(process.env.BENCH_FIREFOX_IDLE_MS ?? 5 * 60_000);
const IDLE_PEERS = 3;
const PAIRING_RUNS = 5;

type Hook = { meshdeck: { host: { node: MeshNode } } };

async function main(): Promise<void> {
  installNodeWebRTC();
  const server = await startLocalServer({ port: 9000 });
  const chromes: ExtensionBrowser[] = [];
  let firefox: FirefoxExtensionBrowser | null = null;
  const peers: MeshNode[] = [];
  try {
    const lint = await webExt.cmd.lint({ sourceDir: FIREFOX_EXTENSION_DIR, output: 'none' }, { shouldExitProgram: false });

    for (let i = 0; i < 2; i++) chromes.push(await launchExtensionBrowser());
    firefox = await launchFirefoxExtension();
    const [A, B] = chromes as [ExtensionBrowser, ExtensionBrowser];
    const F = firefox;
    const [hostA, hostB] = await Promise.all([A.host(), B.host()]);
    const [aId, bId, fId] = [(await A.snapshot()).nodeId, (await B.snapshot()).nodeId, (await F.snapshot()).nodeId];
    // No automatic dialling: each connection measured is one the benchmark made.
    for (const popup of [await A.openPopup(), await B.openPopup()]) await request(popup, { type: 'settings:update', patch: { maxPeers: 0 } });
    await F.request({ type: 'settings:update', patch: { maxPeers: 0 } });
    for (const host of [hostA, hostB]) {
      await host.evaluate(() => {
        const { node } = (globalThis as unknown as Hook).meshdeck.host;
        for (const peer of node.snapshot().peers) node.disconnect(peer.nodeId, 'shutdown');
      });
    }
    for (const peer of (await F.snapshot()).peers) await F.callNode('disconnect', peer.nodeId, 'shutdown');
    await until(() => A.snapshot(), 10_000, 'A alone', (s) => s.peers.length === 0);
    await until(() => B.snapshot(), 10_000, 'B alone', (s) => s.peers.length === 0);
    await until(() => F.snapshot(), 10_000, 'F alone', (s) => s.peers.length === 0);

    const chromeChrome: number[] = [];
    const chromeFirefox: number[] = [];
    const rawChrome: number[] = [];
    const rawFirefox: number[] = [];
    const probeF = await F.probe();
    for (let run = 0; run < RUNS; run++) {
      rawChrome.push(await measureRawOpen(hostA, hostB, server.signalingUrl, 2 * run));
      chromeChrome.push(await measureReady(hostA, hostB, aId, bId));
      rawFirefox.push(await measureRawOpen(hostA, probeF, server.signalingUrl, 2 * run + 1));
      chromeFirefox.push(await measureReady(hostA, probeF, aId, fId));
    }
    // Pairing: each run starts unconnected, so it includes finding and dialling the offering browser.
    const popupA = await A.openPopup();
    const aUser = (await A.snapshot()).userId;
    const pairing: number[] = [];
    for (let run = 0; run < PAIRING_RUNS; run++) {
      const offer = (await request(popupA, { type: 'pairing:offer' })) as { ok: true; value: { code: string } };
      const started = Date.now();
      await F.request({ type: 'pairing:join', code: offer.value.code });
      pairing.push(Date.now() - started);
      // The first pairing re-certifies Firefox's node, which restarts and (maxPeers 0) dials nobody.
      const after = await until(() => F.snapshot(), 20_000, 'Firefox under Chrome’s user key', (s) => s.userId === aUser);
      if (after.peers.length) await F.callNode('disconnect', aId, 'shutdown');
      await until(() => A.snapshot(), 10_000, 'A forgets F', (s) => s.peers.length === 0);
    }
    for (const chrome of chromes.splice(0)) await chrome.close();

    // Idle: the Firefox node alone with Node peers.
    await F.request({ type: 'settings:update', patch: { maxPeers: 8 } });
    for (let i = 0; i < IDLE_PEERS; i++) peers.push((await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl] })).node);
    const handshakes = JSON.stringify(readyHandshakes(await settledConnections(F, IDLE_PEERS)));
    const bootsBefore = await F.backgroundBoots();
    const idleStart = Date.now();
    let connectedUntil = idleStart;
    while (Date.now() - idleStart < IDLE_MS) {
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      const now = await F.snapshot().catch(() => null);
      const same = now && JSON.stringify(readyHandshakes(now)) === handshakes;
      if (!same || (await F.backgroundBoots()) !== bootsBefore) break;
      connectedUntil = Date.now();
    }
    const restarts = (await F.backgroundBoots()) - bootsBefore;

    const cc = median(chromeChrome)!;
    const cf = median(chromeFirefox)!;
    await writeResult('firefox', {
      runs: RUNS,
      chrome_chrome_ready_ms_median: round(cc),
      chrome_firefox_ready_ms_median: round(cf),
      interop_ratio: round(cf / cc, 3),
      chrome_chrome_raw_peerjs_open_ms_median: round(median(rawChrome)!),
      chrome_firefox_raw_peerjs_open_ms_median: round(median(rawFirefox)!),
      raw_interop_ratio: round(median(rawFirefox)! / median(rawChrome)!, 3),
      idle_minutes_connected: round((connectedUntil - idleStart) / 60_000, 2),
      background_restarts: restarts,
      web_ext_lint_errors: lint.errors.length,
      pairing_ms_median: round(median(pairing)!),
      web_ext_lint_warnings: lint.warnings.map((w) => w.code),
      samples: {
        chrome_chrome_ready_ms: chromeChrome.map((v) => round(v)),
        chrome_firefox_ready_ms: chromeFirefox.map((v) => round(v)),
        chrome_chrome_raw_open_ms: rawChrome.map((v) => round(v)),
        chrome_firefox_raw_open_ms: rawFirefox.map((v) => round(v)),
        pairing_ms: pairing,
      },
      notes: `ready = dial() in a Chrome node → authenticated-ready on both sides, Chrome↔Chrome and Chrome↔Firefox alternating over ${RUNS} runs each, each after a raw PeerJS open of the same pair; idle with ${IDLE_PEERS} Node peers for up to ${IDLE_MS / 60_000} min, "connected" meaning the same ready connections (unchanged handshake times) and no background restart; pairing over ${PAIRING_RUNS} runs, each from unconnected browsers (it includes dialling) to the join's reply, which comes once the user key and the merged block list are stored (PBKDF2 with 200,000 rounds runs on both sides)`,
    });
  } finally {
    for (const peer of peers) peer.stop();
    for (const chrome of chromes) await chrome.close().catch(() => undefined);
    await firefox?.close().catch(() => undefined);
    await server.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
