/**
 * The main job of `npm start` (scripts/start.mjs runs it inside a loopback-only network namespace):
 * the local signaling + relay server, three demo peers (`meshdeck-node` processes, each with its
 * identity, lists and state files under .tmp/demo-peers/, so each keeps its node ID and what its own dashboard changed from one start to the next), and
 * Chromium with the extension — a window where a display exists, headless otherwise. Ctrl-C stops
 * all of it, the peers with a bye to each of theirs.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { MeshNode } from '../core/node/node';
import { startLocalServer, type LocalServer } from '../server/local-server';
import { spawnMeshdeckNode, type NodeProcess } from '../server/node-process';
import { EXTENSION_DIR, launchChromiumWithExtension } from './chromium-extension';

const DEMO_PEERS = 3;
const PROFILE_DIR = path.resolve('.tmp/chromium-profile');
const PEERS_DIR = path.resolve('.tmp/demo-peers');
const STATUS_EVERY_MS = 10_000;

const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const peers: NodeProcess[] = [];
let server: LocalServer | null = null;
let closeBrowser: (() => Promise<void>) | null = null;
let stopping = false;

async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the browser, ${peers.length} demo peers and the server…`);
  await closeBrowser?.().catch(() => undefined);
  await Promise.all(peers.map((peer) => peer.stop()));
  await server?.close();
  console.log('Stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

try {
  server = await startLocalServer({ port: 9000 });
} catch (error) {
  const e = error as Error;
  console.error(e.name === 'PortInUseError' ? 'Port 9000 is in use: is another `npm start` or `npm run server` running?' : `The local server did not start: ${e.message}`);
  process.exit(1);
}
console.log(`Local server\n  signaling  ${server.signalingUrl}\n  relay      ${server.relayUrl}`);

await mkdir(PEERS_DIR, { recursive: true, mode: 0o700 });
for (let i = 1; i <= DEMO_PEERS; i++) {
  const args = ['--identity', path.join(PEERS_DIR, `peer-${i}.json`), '--lists', path.join(PEERS_DIR, `peer-${i}-lists.json`), '--state', path.join(PEERS_DIR, `peer-${i}-state.json`), '--signaling', server.signalingUrl, '--relay', server.relayUrl];
  peers.push(spawnMeshdeckNode(args, (line, stream) => stream === 'err' && console.error(`demo peer ${i}: ${line}`)));
}
for (const [i, peer] of peers.entries()) {
  try {
    const nodeId = await peer.started();
    // Its dashboard line follows the start line; a browser in this namespace (the one opened below) can open it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    console.log(`Demo peer ${i + 1}: meshdeck-node ${nodeId} (pid ${peer.child.pid})${peer.dashboard() ? `, its dashboard ${peer.dashboard()}` : ''}`);
  } catch (error) {
    console.error(`Demo peer ${i + 1} did not start: ${(error as Error).message}`);
    await stop('a demo peer failed');
  }
}

await mkdir(PROFILE_DIR, { recursive: true });
const { browser, extensionId } = await launchChromiumWithExtension({ userDataDir: PROFILE_DIR, headless: !hasDisplay });
closeBrowser = () => browser.close();
browser.on('disconnected', () => void stop('browser closed'));
const dashboard = `chrome-extension://${extensionId}/options.html`;
const popup = `chrome-extension://${extensionId}/popup.html`;
const [page] = await browser.pages();
await page!.goto(dashboard);

if (hasDisplay) {
  console.log(`\nChromium is open with Meshdeck: the Node Dashboard is in the first tab.\nThe toolbar popup is the puzzle-piece menu → Meshdeck (or open ${popup}).`);
} else {
  console.log(
    [
      '',
      'No display here, so Chromium runs headless with the extension; its node status follows below.',
      'To use Meshdeck yourself on a desktop: chrome://extensions → Developer mode → Load unpacked →',
      `  ${EXTENSION_DIR}`,
      'with `npm run server` running on the same machine.',
    ].join('\n'),
  );
}

const offscreen = await browser.waitForTarget((t) => t.url() === `chrome-extension://${extensionId}/offscreen.html`);
const host = await offscreen.asPage();
const printStatus = async (): Promise<void> => {
  const line = await host
    .evaluate(() => {
      const snapshot = (globalThis as unknown as { meshdeck?: { host?: { node?: MeshNode } } }).meshdeck?.host?.node?.snapshot();
      if (!snapshot) return 'node starting…';
      const { totals, signaling } = snapshot;
      return `your node ${snapshot.nodeId}: ${totals.peers} ready peers, signaling ${signaling.state}, median latency ${totals.medianRttMs === null ? '—' : totals.medianRttMs.toFixed(1)} ms, strength ${totals.strength}/4`;
    })
    .catch((error: Error) => `node host unreachable: ${error.message}`);
  console.log(`[${new Date().toLocaleTimeString()}] ${line}`);
};
await new Promise((r) => setTimeout(r, 2000));
await printStatus();
setInterval(() => void printStatus(), STATUS_EVERY_MS);
console.log('Press Ctrl-C to stop everything.');
