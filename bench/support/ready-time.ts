/**
 * Ready time against its baseline, between the same two offscreen documents: `connect()` →
 * authenticated-ready on both sides (measureReady), and a raw PeerJS DataConnection `open` with no
 * handshake (measureRawOpen). Times are taken in the pages (`performance.timeOrigin + now()`): both
 * browsers share the machine's clock. Used by the foundation and hostile benchmarks.
 */
import type { Page } from 'puppeteer';
import { nextPeerEvent } from '../../tests/support/extension-browser';
import { until } from '../../tests/support/until';

type Hook = {
  meshdeck: {
    host: { node: import('../../core/node/node').MeshNode };
    Peer: typeof import('peerjs').Peer;
  };
};

export async function measureReady(a: Page, b: Page, aId: string, bId: string): Promise<number> {
  const readyAtB = nextPeerEvent(b, 'peer:ready', aId);
  const [startedAt, readyAtA] = await a.evaluate((id) => {
    const { node } = (globalThis as unknown as Hook).meshdeck.host;
    return new Promise<[number, number]>((resolve) => {
      const off = node.events.on('peer:ready', (session) => {
        if (session.remoteId !== id) return;
        off();
        resolve([start, performance.timeOrigin + performance.now()]);
      });
      const start = performance.timeOrigin + performance.now();
      node.dial(id);
    });
  }, bId);
  const readyB = await readyAtB;
  // Tear down before the next run: both sides must have forgotten the connection.
  await a.evaluate((id) => (globalThis as unknown as Hook).meshdeck.host.node.disconnect(id, 'shutdown'), bId);
  await until(() => b.evaluate(() => (globalThis as unknown as Hook).meshdeck.host.node.snapshot().peers.length), 5000, 'b forgets a', (n) => n === 0);
  return Math.max(readyAtA, readyB) - startedAt;
}

export async function measureRawOpen(a: Page, b: Page, signalingUrl: string, run: number): Promise<number> {
  const options = { ...peerOptions(signalingUrl), key: 'peerjs', debug: 0, config: { iceServers: [] } };
  const stamp = Date.now().toString(36);
  const bId = `rawb${run}x${stamp}`;
  const aId = `rawa${run}x${stamp}`;
  type RawGlobals = { rawOpenAt?: Promise<number> };
  // B registers and waits for A's connection to open; the open time is kept in a page global.
  await b.evaluate(
    (id, opts) =>
      new Promise<void>((registered, failed) => {
        const peer = new (globalThis as unknown as Hook).meshdeck.Peer(id, opts);
        peer.on('error', (error) => failed(new Error(`raw peer B: ${error.type} ${error.message}`)));
        peer.on('open', () => registered());
        (globalThis as RawGlobals).rawOpenAt = new Promise<number>((resolve) => {
          peer.on('connection', (connection) =>
            connection.on('open', () => {
              resolve(performance.timeOrigin + performance.now());
              setTimeout(() => peer.destroy(), 200);
            }),
          );
        });
      }),
    bId,
    options,
  );
  const [startedAt, openAtA] = await a.evaluate(
    (id, target, opts) =>
      new Promise<[number, number]>((resolve, failed) => {
        const peer = new (globalThis as unknown as Hook).meshdeck.Peer(id, opts);
        peer.on('error', (error) => failed(new Error(`raw peer A: ${error.type} ${error.message}`)));
        peer.on('open', () => {
          const start = performance.timeOrigin + performance.now();
          const connection = peer.connect(target, { serialization: 'raw', reliable: true });
          connection.on('open', () => {
            resolve([start, performance.timeOrigin + performance.now()]);
            setTimeout(() => peer.destroy(), 200);
          });
        });
      }),
    aId,
    bId,
    options,
  );
  const openAtB = await b.evaluate(() => (globalThis as RawGlobals).rawOpenAt!);
  return Math.max(openAtA, openAtB) - startedAt;
}

function peerOptions(url: string) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), path: `${u.pathname}/`, secure: false };
}

