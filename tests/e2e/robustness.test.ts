/**
 * Robustness in real Chromium (loopback-only namespace): teardown leaves nothing behind over many
 * connect/disconnect cycles, the node survives its server going away, a killed peer is found dead,
 * and controls keep working with the service worker stopped.
 */
import type { Page } from 'puppeteer';
import { describeClose } from '../../core/session/close-reason';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../core/node/node';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { launchExtensionBrowser, request, readPopup, type ExtensionBrowser } from '../support/extension-browser';
import { until } from '../support/until';
import { toggleP2P } from '../support/ui';

type Hook = {
  meshdeck: {
    host: { node: MeshNode };
    instruments: { peerConnections: { created: number; open: number }; timers: { intervals: number; timeouts: number } } | null;
  };
};
const CYCLES = Number(process.env.LEAK_CYCLES ?? 200);


const counts = (host: Page) =>
  host.evaluate(() => {
    (globalThis as unknown as { gc?: () => void }).gc?.();
    const { host: h, instruments } = (globalThis as unknown as Hook).meshdeck;
    const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
    return { ...instruments!, resources: h.node.resourceCount, heap: memory?.usedJSHeapSize ?? 0 };
  });

describe('teardown leaves nothing behind', () => {
  let server: LocalServer;
  const nodes: ExtensionBrowser[] = [];

  beforeAll(async () => {
    server = await startLocalServer({ port: 9000 });
    for (let i = 0; i < 2; i++) nodes.push(await launchExtensionBrowser());
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await server?.close();
  });

  it(`${CYCLES} connect/disconnect cycles return RTCPeerConnections, timers and sessions to baseline`, async () => {
    const [A, B] = nodes as [ExtensionBrowser, ExtensionBrowser];
    const [hostA, hostB] = await Promise.all([A.host(), B.host()]);
    const popups = await Promise.all([A.openPopup(), B.openPopup()]);
    for (const popup of popups) await request(popup, { type: 'settings:update', patch: { maxPeers: 0 } });
    const aId = (await A.snapshot()).nodeId;
    const bId = (await B.snapshot()).nodeId;
    for (const [host, other] of [[hostA, bId], [hostB, aId]] as const) {
      await host.evaluate((id) => (globalThis as unknown as Hook).meshdeck.host.node.disconnect(id, 'shutdown'), other);
    }
    await until(() => Promise.all([A.snapshot(), B.snapshot()]), 10_000, 'no connections', ([a, b]) => a.peers.length === 0 && b.peers.length === 0);
    await new Promise((r) => setTimeout(r, 1500));
    const before = await Promise.all([counts(hostA), counts(hostB)]);
    expect(before[0].peerConnections.open).toBe(0);

    const started = Date.now();
    const logOf = (host: Page) =>
      host.evaluate(() => {
        const { node } = (globalThis as unknown as Hook).meshdeck.host;
        const links = [...((node as unknown as { replacements: Map<string, { link: { connection?: { connectionId?: string; peerConnection?: RTCPeerConnection; dataChannel?: RTCDataChannel } } }> }).replacements?.values() ?? [])].map(
          (s) => `replacement ${s.link.connection?.connectionId}: signaling ${s.link.connection?.peerConnection?.signalingState}, ice ${s.link.connection?.peerConnection?.iceConnectionState}, channel ${s.link.connection?.dataChannel?.readyState ?? 'none'}`,
        );
        return [...links, ...node.log.all().slice(-20).map((e) => `${e.type}: ${e.message}`)].join(' | ');
      });
    await hostA.evaluate(
      async (id, cycles) => {
        const { node } = (globalThis as unknown as Hook).meshdeck.host;
        // Where a stuck dial's WebRTC connection stands (PeerJS's DataConnection under the link).
        const transportOf = (session: unknown): string => {
          const connection = (session as { link?: { connection?: { peerConnection?: RTCPeerConnection; dataChannel?: RTCDataChannel; connectionId?: string } } } | undefined)?.link?.connection;
          const pc = connection?.peerConnection;
          return pc
            ? `${connection.connectionId} signaling ${pc.signalingState}, ice ${pc.iceConnectionState}, gathering ${pc.iceGatheringState}, connection ${pc.connectionState}, channel ${connection.dataChannel?.readyState ?? 'none'}`
            : 'no peer connection';
        };
        for (let i = 0; i < cycles; i++) {
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => {
              const recent = node.log.all().slice(-20).map((e) => `${e.level} ${e.type}: ${e.message}`).join(' | ');
              reject(new Error(`cycle ${i}: not ready in 10 s (peers ${JSON.stringify(node.snapshot().peers)}; transport ${transportOf((node as unknown as { sessions: { get(id: string): unknown } }).sessions.get(id))}; signaling ${JSON.stringify(node.snapshot().signaling)}; log: ${recent})`));
            }, 10_000);
            const off = node.events.on('peer:ready', (session) => {
              if (session.remoteId !== id) return;
              off();
              clearTimeout(timer);
              resolve();
            });
            node.dial(id);
          });
          await new Promise<void>((resolve) => {
            const off = node.events.on('peer:close', (event) => {
              if (event.nodeId !== id) return;
              off();
              resolve();
            });
            node.disconnect(id, 'shutdown');
          });
        }
      },
      bId,
      CYCLES,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\nB's log: ${await logOf(hostB)}`);
    });
    await until(() => B.snapshot(), 5000, 'B forgot A', (s) => s.peers.length === 0);
    // GUN keeps ack timers of up to 9 s for each announce: wait for the timeouts to drain back. The
    // last connection's RTCPeerConnections close after their channel flushed and lingered (up to
    // 0.5 s after the session ended): a leak is one that never closes, so wait for them too.
    const after = await until(
      () => Promise.all([counts(hostA), counts(hostB)]),
      20_000,
      'timeouts and connections back to baseline',
      (both) => both.every((a, i) => a.timers.timeouts <= before[i]!.timers.timeouts + 5 && a.peerConnections.open === 0),
    ).catch(() => Promise.all([counts(hostA), counts(hostB)]));
    console.log(
      `leak test: ${CYCLES} cycles in ${((Date.now() - started) / 1000).toFixed(1)} s;`,
      after.map((a, i) => `${i ? 'B' : 'A'}: ${a.peerConnections.created - before[i]!.peerConnections.created} connections made, ${a.peerConnections.open} open, ` +
        `intervals ${before[i]!.timers.intervals}→${a.timers.intervals}, timeouts ${before[i]!.timers.timeouts}→${a.timers.timeouts}, ` +
        `heap ${((a.heap - before[i]!.heap) / 1024).toFixed(0)} KiB`).join('; '),
    );
    for (const [i, a] of after.entries()) {
      expect(a.peerConnections.created - before[i]!.peerConnections.created).toBeGreaterThanOrEqual(CYCLES);
      expect(a.peerConnections.open).toBe(0);
      expect(a.timers.intervals).toBeLessThanOrEqual(before[i]!.timers.intervals);
      expect(a.timers.timeouts).toBeLessThanOrEqual(before[i]!.timers.timeouts + 5);
      expect(a.resources.sessions).toBe(0);
    }
  }, 300_000);
});

describe('recovery', () => {
  let server: LocalServer;
  const nodes: ExtensionBrowser[] = [];
  const popups: Page[] = [];

  beforeAll(async () => {
    server = await startLocalServer({ port: 9000 });
    for (let i = 0; i < 3; i++) nodes.push(await launchExtensionBrowser());
    for (const node of nodes) popups.push(await node.openPopup());
    for (const popup of popups) await until(() => readPopup(popup), 30_000, '2 peers', (p) => p.peers === 2);
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close().catch(() => undefined)));
    await server?.close();
  });

  it('the server killed and started again: every node re-registers, peers stay connected', async () => {
    await server.close();
    for (const node of nodes) await until(() => node.snapshot(), 10_000, 'signaling lost', (s) => s.signaling.state !== 'open');
    server = await startLocalServer({ port: 9000 });
    for (const node of nodes) {
      const s = await until(() => node.snapshot(), 40_000, 'registered again', (x) => x.signaling.state === 'open' && x.rendezvous.relays.every((r) => r.state === 'open'));
      expect(s.totals.peers).toBe(2);
    }
  }, 90_000);

  it('controls keep working with the service worker stopped', async () => {
    const node = nodes[0]!;
    const worker = await node.worker();
    await worker.close();
    await toggleP2P(popups[0]!, false);
    // The bound covers a worker started again on a loaded machine; a failure says what the popup showed
    // (a CI run once saw the node still on after 5 s, with no more to go on).
    await until(() => node.snapshot(), 15_000, 'disabled with the worker woken', (s) => !s.enabled).catch(async (error: Error) => {
      const shown = await popups[0]!.evaluate(() => document.body.innerText).catch((e: unknown) => `(unreadable: ${String(e)})`);
      throw new Error(`${error.message.slice(0, 300)}…\nthe popup showed:\n${shown}`);
    });
    await toggleP2P(popups[0]!, true);
    await until(() => readPopup(popups[0]!), 15_000, 'back on', (p) => p.enabled && p.peers === 2);
  });

  // The mechanism, not the figure (the figure is dead_peer_detect_ms_median in `npm run bench -- robustness`):
  // the others declare the killed peer dead by heartbeat, record why, and keep redialling it while
  // it is still announced. The bound only keeps a broken build from hanging the suite.
  it('a peer whose browser is killed is declared dead by heartbeat, with the reason recorded, and redialled per policy', async () => {
    const victim = nodes[2]!;
    const victimId = (await victim.snapshot()).nodeId;
    victim.browser.process()!.kill('SIGKILL');
    for (const node of nodes.slice(0, 2)) {
      const seen = await until(
        () => node.snapshot(),
        30_000,
        'victim declared dead',
        (s) => !s.peers.some((p) => p.nodeId === victimId && p.state === 'ready') && s.closedPeers.some((c) => c.nodeId === victimId),
      );
      // Newest first: a failed redial may already stand above the heartbeat's verdict.
      expect(seen.closedPeers.filter((c) => c.nodeId === victimId).map((c) => c.reason)).toContain(describeClose('dead'));
      const host = await node.host();
      const log = await host.evaluate(() =>
        (globalThis as unknown as { meshdeck: { host: { node: { log: { all(): { type: string; nodeId?: string; message: string }[] } } } } }).meshdeck.host.node.log.all(),
      );
      expect(log.some((e) => e.nodeId === victimId && /three heartbeats in a row went unanswered/.test(e.message))).toBe(true);
    }
    // Still announced (its record is fresh for a minute): the redial policy dials it again with
    // backoff, and each attempt fails without a peer on the other side.
    await until(
      () => nodes[0]!.snapshot(),
      30_000,
      'victim redialled',
      (s) => s.closedPeers.filter((c) => c.nodeId === victimId).length >= 2 || s.peers.some((p) => p.nodeId === victimId && p.state !== 'ready'),
    );
  });
});
