/**
 * Resilience benchmark (docs/benchmarks.md, resilience.json), on the local server in a loopback-only
 * namespace. The node under test is the extension in real Chromium; the nodes it dials are Node
 * processes running core/ (server/node-peer.ts), one per path:
 * - peerjs_ready_ms_median: it dials a node registered on the same PeerJS server;
 * - gun_fallback_ready_ms_median: it dials a node whose PeerJS server is down (its record lists an
 *   endpoint nobody listens on), so the offer and answer go sealed through the GUN relay;
 *   alternating with the PeerJS runs, so both see the same machine. `dial()` → ready on both sides
 *   (each side's own stamp on the machine's one clock). gun_fallback_ratio: GUN / PeerJS.
 * - tracker_ready_ms_median: the PeerJS server and the relay are gone, and the tracker alone is up; a
 *   fresh Node node (no PeerJS server, no relay either) starts → both ready through the tracker, from
 *   the start of the Node node (the extension is in the swarm already). tracker_ratio: tracker / PeerJS.
 * - webtorrent_mb_per_s: a second extension browser downloads a fresh 5 MB file the first one shares
 *   (core/files), download() → done; datachannel_mb_per_s: the same bytes from the first browser's
 *   node host to the second's over one bare RTCPeerConnection data channel (64 KiB messages, kept
 *   under 1 MiB buffered), in the same run; MB = 10^6 bytes.
 * - webtorrent_chunk_gzip_bytes: the lazy WebTorrent chunk (store build), not in offscreen_bundle_gzip_bytes.
 * - offscreen_bundle_gzip_bytes: the offscreen document's JS as users get it (store build).
 * - relay_failover_ms_median: two Node nodes on two federated relays (server/federation.ts); one relay
 *   is killed → the other node has a record of the first dated after the kill, through the relay left
 *   (the relay is started again between runs).
 * - signaling_failover_ms_median: two Node nodes registered on two PeerJS servers; the first (the one
 *   they use) is killed → as soon as the dialler sees it gone it dials again, and the two are ready
 *   through the other server: from the kill to ready.
 */
import type { Page } from 'puppeteer';
import type { MeshNode } from '../core/node/node';
import { startLocalServer, type LocalServer } from '../server/local-server';
import { startFederation } from '../server/federation';
import { startNodePeer } from '../server/node-peer';
import { launchExtensionBrowser, request, type ExtensionBrowser } from '../tests/support/extension-browser';
import { until } from '../tests/support/until';
import { chunkGzipBytes, pageGzipBytes } from './support/bundle-size';
import { median, round, writeResult } from './support/result';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
/** A loopback port nothing listens on: the second node's PeerJS server is down. */
const DEAD_SIGNALING = 'http://127.0.0.1:9/peerjs';

type Hook = { meshdeck: { host: { node: MeshNode } } };

/** Dials `peer` from the extension's node; ms from dial() until both sides reported ready. Then tears down. */
async function measureReadyWith(host: Page, browser: ExtensionBrowser, peer: MeshNode, path: string): Promise<number> {
  const selfId = (await browser.snapshot()).nodeId;
  const readyAtPeer = new Promise<number>((resolve) => {
    const off = peer.events.on('peer:ready', (session) => {
      if (session.remoteId !== selfId) return;
      off();
      resolve(performance.timeOrigin + performance.now());
    });
  });
  const [startedAt, readyAtBrowser, usedPath] = await host.evaluate((id) => {
    const { node } = (globalThis as unknown as Hook).meshdeck.host;
    return new Promise<[number, number, string]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready within 20 s: ${JSON.stringify(node.snapshot().closedPeers.slice(0, 2))}`)), 20_000);
      const off = node.events.on('peer:ready', (session) => {
        if (session.remoteId !== id) return;
        off();
        clearTimeout(timer);
        resolve([start, performance.timeOrigin + performance.now(), session.link.path]);
      });
      const start = performance.timeOrigin + performance.now();
      node.dial(id);
    });
  }, peer.nodeId);
  const readyPeer = await readyAtPeer;
  if (usedPath !== path) throw new Error(`the dial went through ${usedPath}, not ${path}`);
  await host.evaluate((id) => (globalThis as unknown as Hook).meshdeck.host.node.disconnect(id, 'shutdown'), peer.nodeId);
  await until(async () => peer.snapshot().peers.length, 5000, 'the peer forgets the extension', (n) => n === 0);
  await until(() => browser.snapshot(), 5000, 'the extension forgets the peer', (s) => s.peers.length === 0);
  return Math.max(readyAtBrowser, readyPeer) - startedAt;
}

const DEAD_RELAY = 'http://127.0.0.1:9/gun';

/** The extension alone in the tracker's swarm, with PeerJS and GUN down; each run a fresh node meets it there. */
async function trackerReady(browser: ExtensionBrowser, popup: Page, trackerUrl: string): Promise<number[]> {
  await request(popup, { type: 'settings:update', patch: { maxPeers: 8 } });
  await until(
    () => browser.snapshot(),
    30_000,
    'the extension on the tracker alone',
    (s) => s.signaling.fallbacks.some((f) => f.path === 'tracker' && f.state === 'open') && s.rendezvous.relays.every((r) => r.state !== 'open') && s.signaling.state !== 'open',
  );
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const startedAt = performance.timeOrigin + performance.now();
    const peer = (await startNodePeer({ signalingUrl: DEAD_SIGNALING, relayUrls: [DEAD_RELAY], trackerUrls: [trackerUrl], maxPeers: 1 })).node;
    try {
      const readyAtPeer = new Promise<number>((resolve) => {
        const off = peer.events.on('peer:ready', () => {
          off();
          resolve(performance.timeOrigin + performance.now());
        });
      });
      const snapshot = await until(() => browser.snapshot(), 20_000, 'ready through the tracker', (s) => s.peers.some((p) => p.nodeId === peer.nodeId && p.state === 'ready'));
      const path = snapshot.peers.find((p) => p.nodeId === peer.nodeId)!.path;
      if (path !== 'tracker') throw new Error(`the connection went through ${path}, not the tracker`);
      // The extension's side is polled: its own stamp of the handshake says when it became ready.
      const readyAtBrowser = snapshot.peers.find((p) => p.nodeId === peer.nodeId)!.lastHandshakeAt ?? startedAt;
      times.push(Math.max(await readyAtPeer, readyAtBrowser) - startedAt);
    } finally {
      peer.stop();
    }
    await until(() => browser.snapshot(), 10_000, 'the extension forgets the peer', (s) => s.peers.length === 0);
  }
  await request(popup, { type: 'settings:update', patch: { maxPeers: 0 } });
  return times;
}

const FILE_BYTES = 5 * 1024 * 1024;
const FILE_RUNS = Number(process.env.BENCH_FILE_RUNS ?? 3);

type FilesHook = {
  meshdeck: {
    host: { node: { files: { share(file: Blob, name: string): Promise<string>; download(ih: string): Promise<void>; snapshot(): { downloads: { ih: string; state: string }[] } } } };
  };
};
/** A bare data channel pair between two node hosts, set up by the benchmark carrying the descriptions. */
type ChannelHook = { benchChannel?: RTCDataChannel; benchPc?: RTCPeerConnection; benchReceived?: Promise<number> };

async function fileThroughput(a: ExtensionBrowser, b: ExtensionBrowser): Promise<{ webtorrent: number[]; datachannel: number[] }> {
  const [hostA, hostB] = [await a.host(), await b.host()];
  const webtorrent: number[] = [];
  const datachannel: number[] = [];
  for (let run = 0; run < FILE_RUNS; run++) {
    const ih = await hostA.evaluate(async (size, run) => {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i += 65_536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65_536)));
      return (globalThis as unknown as FilesHook).meshdeck.host.node.files.share(new Blob([bytes]), `run-${run}.bin`);
    }, FILE_BYTES, run);
    const ms = await hostB.evaluate(async (id) => {
      const { files } = (globalThis as unknown as FilesHook).meshdeck.host.node;
      const start = performance.now();
      await files.download(id);
      for (;;) {
        const download = files.snapshot().downloads.find((d) => d.ih === id)!;
        if (download.state === 'done') return performance.now() - start;
        if (download.state !== 'fetching') throw new Error(`download ${download.state}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }, ih);
    webtorrent.push(FILE_BYTES / 1e6 / (ms / 1000));
    datachannel.push(FILE_BYTES / 1e6 / ((await dataChannelMs(hostA, hostB)) / 1000));
  }
  return { webtorrent, datachannel };
}

/** ms from the first byte sent in A's host to the last received in B's, over a fresh data channel. */
async function dataChannelMs(hostA: Page, hostB: Page): Promise<number> {
  const offer = await hostA.evaluate(async () => {
    const g = globalThis as unknown as ChannelHook;
    const pc = (g.benchPc = new RTCPeerConnection({ iceServers: [] }));
    g.benchChannel = pc.createDataChannel('bench', { ordered: true });
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((r) => setTimeout(r, 300));
    return pc.localDescription!.sdp;
  });
  const answer = await hostB.evaluate(async (sdp, size) => {
    const g = globalThis as unknown as ChannelHook;
    const pc = (g.benchPc = new RTCPeerConnection({ iceServers: [] }));
    g.benchReceived = new Promise<number>((resolve) => {
      pc.ondatachannel = ({ channel }) => {
        let got = 0;
        channel.binaryType = 'arraybuffer';
        channel.onmessage = ({ data }) => {
          got += (data as ArrayBuffer).byteLength;
          if (got >= size) resolve(performance.timeOrigin + performance.now());
        };
      };
    });
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await new Promise((r) => setTimeout(r, 300));
    return pc.localDescription!.sdp;
  }, offer, FILE_BYTES);
  const startedAt = await hostA.evaluate(async (sdp, size) => {
    const g = globalThis as unknown as ChannelHook;
    await g.benchPc!.setRemoteDescription({ type: 'answer', sdp });
    const channel = g.benchChannel!;
    await new Promise((r) => (channel.readyState === 'open' ? r(null) : (channel.onopen = r)));
    channel.bufferedAmountLowThreshold = 256 * 1024;
    const chunk = new Uint8Array(64 * 1024);
    const start = performance.timeOrigin + performance.now();
    for (let sent = 0; sent < size; sent += chunk.length) {
      if (channel.bufferedAmount > 1024 * 1024) await new Promise((r) => (channel.onbufferedamountlow = r));
      channel.send(chunk.subarray(0, Math.min(chunk.length, size - sent)));
    }
    return start;
  }, answer, FILE_BYTES);
  const doneAt = await hostB.evaluate(() => (globalThis as unknown as ChannelHook).benchReceived!);
  for (const host of [hostA, hostB]) await host.evaluate(() => (globalThis as unknown as ChannelHook).benchPc?.close());
  return doneAt - startedAt;
}

const FAILOVER_RUNS = Number(process.env.BENCH_FAILOVER_RUNS ?? 5);

async function relayFailover(): Promise<number[]> {
  const servers = await startFederation({ port: 0, relays: 2, signaling: 1 });
  const relays = servers.map((server) => server.relayUrl);
  const nodes: MeshNode[] = [];
  try {
    for (let i = 0; i < 2; i++) nodes.push((await startNodePeer({ signalingUrl: servers[0]!.signalingUrl, relayUrls: relays, room: 'failover' })).node);
    const [x, y] = nodes as [MeshNode, MeshNode];
    const times: number[] = [];
    for (let run = 0; run < FAILOVER_RUNS; run++) {
      await until(async () => nodes.every((n) => n.snapshot().rendezvous.relays.every((r) => r.state === 'open')), 60_000, 'both nodes on both relays', Boolean);
      await until(async () => x.snapshot().discovered.some((d) => d.nodeId === y.nodeId), 20_000, 'x knows y', Boolean);
      const killedAt = Date.now();
      const port = servers[1]!.port;
      await servers[1]!.close();
      await until(async () => x.snapshot().discovered.find((d) => d.nodeId === y.nodeId)?.announcedAt ?? 0, 30_000, 'x hears y through the relay left', (at) => at >= killedAt);
      times.push(Date.now() - killedAt);
      servers[1] = await startLocalServer({ port, signaling: false, relayPeers: [relays[0]!] });
    }
    return times;
  } finally {
    for (const node of nodes) node.stop();
    await Promise.all(servers.map((server) => server.close()));
  }
}

async function signalingFailover(): Promise<number[]> {
  const servers = await startFederation({ port: 0, relays: 1, signaling: 2 });
  const nodes: MeshNode[] = [];
  const [s0, s1] = servers as [LocalServer, LocalServer];
  try {
    for (let i = 0; i < 2; i++) {
      nodes.push((await startNodePeer({ signalingUrl: s1.signalingUrl, backupSignalingUrls: [s0.signalingUrl], relayUrls: [s0.relayUrl], room: 'endpoints', maxPeers: 0 })).node);
    }
    const [x, y] = nodes as [MeshNode, MeshNode];
    const times: number[] = [];
    for (let run = 0; run < FAILOVER_RUNS; run++) {
      await until(async () => nodes.every((n) => n.snapshot().signaling.endpoints.every((e) => e.state === 'open')), 60_000, 'both nodes on both servers', Boolean);
      await until(async () => y.snapshot().discovered.some((d) => d.nodeId === x.nodeId), 20_000, 'y knows x', Boolean);
      const port = servers[1]!.port;
      const killedAt = Date.now();
      await servers[1]!.close();
      await until(async () => y.snapshot().signaling.endpoints[0]!.state, 10_000, 'y sees the server gone', (state) => state !== 'open');
      const ready = new Promise<void>((resolve) => {
        const off = y.events.on('peer:ready', (session) => {
          if (session.remoteId !== x.nodeId) return;
          off();
          resolve();
        });
      });
      y.dial(x.nodeId, { userAsked: true });
      await ready;
      times.push(Date.now() - killedAt);
      if (y.readySessions()[0]?.link.path !== 'peerjs') throw new Error('the failover dial did not go through PeerJS');
      y.disconnect(x.nodeId, 'shutdown');
      await until(async () => x.snapshot().peers.length + y.snapshot().peers.length, 5000, 'both forget the connection', (n) => n === 0);
      servers[1] = await startLocalServer({ port, relay: false });
    }
    return times;
  } finally {
    for (const node of nodes) node.stop();
    await Promise.all(servers.map((server) => server.close()));
  }
}

async function main(): Promise<void> {
  const server = await startLocalServer({ port: 9000 });
  let browser: ExtensionBrowser | null = null;
  const peers: MeshNode[] = [];
  try {
    browser = await launchExtensionBrowser();
    const host = await browser.host();
    const popup = await browser.browser.newPage();
    await popup.goto(`chrome-extension://${browser.extensionId}/popup.html`);
    // Auto-dial off everywhere: only the benchmark's dials connect.
    await request(popup, { type: 'settings:update', patch: { maxPeers: 0 } });
    const viaPeerJs = (await startNodePeer({ signalingUrl: server.signalingUrl, relayUrls: [server.relayUrl], maxPeers: 0 })).node;
    const viaGun = (await startNodePeer({ signalingUrl: DEAD_SIGNALING, relayUrls: [server.relayUrl], maxPeers: 0 })).node;
    peers.push(viaPeerJs, viaGun);
    await until(
      () => browser!.snapshot(),
      30_000,
      'the extension registered, its fallback open, both peers discovered',
      (s) => s.signaling.state === 'open' && s.signaling.fallbacks[0]?.state === 'open' && peers.every((p) => s.discovered.some((d) => d.nodeId === p.nodeId && d.status === 'known')),
    );
    await until(() => browser!.snapshot(), 10_000, 'no connection before the runs', (s) => s.peers.length === 0);

    const peerjs: number[] = [];
    const gun: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      peerjs.push(await measureReadyWith(host, browser, viaPeerJs, 'peerjs'));
      gun.push(await measureReadyWith(host, browser, viaGun, 'gun'));
    }
    // The PeerJS server and the relay go; a tracker alone comes up on the same port.
    for (const peer of peers) peer.stop();
    peers.length = 0;
    await server.close();
    const trackerOnly = await startLocalServer({ port: 9000, signaling: false, relay: false });
    let tracker: number[];
    try {
      tracker = await trackerReady(browser, popup, trackerOnly.trackerUrl);
    } finally {
      await trackerOnly.close();
    }
    // File sharing: the servers back, and a second browser to fetch from the first.
    const fileServer = await startLocalServer({ port: 9000 });
    let fileRates: { webtorrent: number[]; datachannel: number[] };
    const fetcher = await launchExtensionBrowser();
    try {
      fileRates = await fileThroughput(browser, fetcher);
    } finally {
      await fetcher.close();
      await fileServer.close();
    }
    const failover = await relayFailover();
    const signalingFailoverTimes = await signalingFailover();
    const peerjsMedian = median(peerjs)!;
    const gunMedian = median(gun)!;
    const trackerMedian = median(tracker)!;
    await writeResult('resilience', {
      runs: RUNS,
      peerjs_ready_ms_median: round(peerjsMedian),
      gun_fallback_ready_ms_median: round(gunMedian),
      gun_fallback_ratio: round(gunMedian / peerjsMedian, 3),
      tracker_ready_ms_median: round(trackerMedian),
      tracker_ratio: round(trackerMedian / peerjsMedian, 3),
      webtorrent_mb_per_s: round(median(fileRates.webtorrent)!, 2),
      datachannel_mb_per_s: round(median(fileRates.datachannel)!, 2),
      offscreen_bundle_gzip_bytes: await pageGzipBytes('offscreen.html'),
      webtorrent_chunk_gzip_bytes: await chunkGzipBytes('webtorrent-engine'),
      relay_failover_ms_median: median(failover),
      signaling_failover_ms_median: median(signalingFailoverTimes),
      samples: { peerjs_ready_ms: peerjs.map((v) => round(v)), gun_fallback_ready_ms: gun.map((v) => round(v)), tracker_ready_ms: tracker.map((v) => round(v)), webtorrent_mb_per_s: fileRates.webtorrent.map((v) => round(v, 2)), datachannel_mb_per_s: fileRates.datachannel.map((v) => round(v, 2)), relay_failover_ms: failover, signaling_failover_ms: signalingFailoverTimes },
    });
  } finally {
    for (const peer of peers) peer.stop();
    await browser?.close();
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
