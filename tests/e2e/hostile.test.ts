/**
 * The extension's node against hostile peers, in real Chromium (loopback-only namespace). Each hostile
 * peer speaks wire protocol v2 by hand (tests/support/hostile-peer.ts), in a child process of its own
 * (tests/support/hostile-peer-process.ts: Node's WebRTC may crash natively there, and a crash is the
 * child's, reported as such, never this test worker's; the storm's honest newcomer is a meshdeck-node
 * process for the same reason), or writes to the rendezvous
 * mesh directly (tests/support/hostile-records.ts), and does what an honest node never would: floods,
 * oversize and binary frames, forged and padded routes, a replayed auth, a broadcast ping, a crowd of
 * silent diallers, a storm of junk and Sybil records through a stock GUN relay, a record dated a year ahead. Each attack must be
 * refused or survived, and the popup and the dashboard must stay live throughout.
 *
 * Bounds are generous (this machine is loaded) and only keep a broken build from hanging the suite;
 * measured figures are printed, never asserted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MeshNode } from '../../core/node/node';
import type { NodeSnapshot } from '../../core/node/observed-state';
import { describeClose } from '../../core/session/close-reason';
import { MAX_UNAUTHENTICATED_INBOUND } from '../../core/node/inbound-gate';
import { startLocalServer, type LocalServer } from '../../server/local-server';
import { spawnMeshdeckNode } from '../../server/node-process';
import { launchExtensionBrowser, readPopup, request, type ExtensionBrowser } from '../support/extension-browser';
import { openDashboard } from '../support/ui';
import { until } from '../support/until';
import { madeUpNodeId } from '../support/hostile-peer';
import { startHostilePeers, type HostileConnectOptions, type HostilePeers, type RemoteHostileConnection, type RemoteSilentDialler } from '../support/hostile-peer-process';
import { junkRecords, makeIdentities, openRoomWriter, sybilRecord, type RoomWriter } from '../support/hostile-records';
import { makeIdentity } from '../support/identities';
import { startStockGunRelay } from '../support/stock-gun-relay';

type Hook = { meshdeck: { host: { node: MeshNode } } };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Rejects if `promise` has not settled within `ms`: a view that stops answering fails the test, not the
 * run. Only time this process could have heard an answer in counts: a stall of our own event loop (a
 * GUN relay and a Node peer run in it) is not the view's silence.
 */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let waited = 0;
    let last = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      waited += Math.min(now - last, 1000);
      last = now;
      if (waited >= ms) {
        clearInterval(timer);
        reject(new Error(`${what}: no answer within ${ms} ms`));
      }
    }, 250);
    promise.then(
      (value) => {
        clearInterval(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearInterval(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

interface ViewProbe {
  rounds: number;
  slowestMs: number;
  /** How long the request in flight has waited, ms (0 when none is). */
  pendingMs: number;
  failures: string[];
}

/**
 * Starts, inside an extension page, a request to the background every 250 ms (settings:get), timed by
 * the page's own clock: how the view fares, whatever this process is busy with.
 */
async function startViewProbe(page: Page): Promise<() => Promise<ViewProbe>> {
  await page.evaluate(() => {
    type Probe = { rounds: number; slowestMs: number; since: number | null; failures: string[]; stop: boolean };
    const probe: Probe = { rounds: 0, slowestMs: 0, since: null, failures: [], stop: false };
    (globalThis as unknown as { hostileProbe: Probe }).hostileProbe = probe;
    const tick = async () => {
      if (probe.stop) return;
      const t = performance.now();
      probe.since = t;
      try {
        const reply = (await chrome.runtime.sendMessage({ v: 1, to: 'background', type: 'settings:get' })) as { ok?: boolean } | undefined;
        if (!reply?.ok) probe.failures.push(JSON.stringify(reply));
      } catch (error) {
        probe.failures.push(String(error));
      }
      const took = performance.now() - t;
      // A generous bound on "answers": far past any answer on a loaded machine.
      if (took > 15_000) probe.failures.push(`settings:get answered after ${Math.round(took)} ms`);
      probe.slowestMs = Math.max(probe.slowestMs, took);
      probe.rounds++;
      probe.since = null;
      setTimeout(tick, 250);
    };
    void tick();
  });
  return () =>
    page.evaluate(() => {
      const probe = (globalThis as unknown as { hostileProbe: { rounds: number; slowestMs: number; since: number | null; failures: string[]; stop: boolean } }).hostileProbe;
      probe.stop = true;
      return { rounds: probe.rounds, slowestMs: Math.round(probe.slowestMs), pendingMs: probe.since === null ? 0 : Math.round(performance.now() - probe.since), failures: probe.failures };
    });
}

/** Measures the longest stall of a page's main thread (a 50 ms timer that fires late). */
async function startStallProbe(page: Page): Promise<() => Promise<number>> {
  await page.evaluate(() => {
    const state = { last: performance.now(), worst: 0, timer: 0 as unknown };
    (globalThis as unknown as { hostileStall: typeof state }).hostileStall = state;
    state.timer = setInterval(() => {
      const now = performance.now();
      state.worst = Math.max(state.worst, now - state.last - 50);
      state.last = now;
    }, 50);
  });
  return () =>
    page.evaluate(() => {
      const state = (globalThis as unknown as { hostileStall: { worst: number; timer: ReturnType<typeof setInterval> } }).hostileStall;
      clearInterval(state.timer);
      return Math.round(state.worst);
    });
}

/** The same for this process. */
function startOwnStallProbe(): () => number {
  let last = Date.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    worst = Math.max(worst, now - last - 50);
    last = now;
  }, 50);
  return () => {
    clearInterval(timer);
    return worst;
  };
}

describe('the extension under attack by hostile peers', () => {
  let server: LocalServer;
  let extension: ExtensionBrowser;
  let popup: Page;
  let dashboard: Page;
  let targetId: string;
  let writer: RoomWriter | null = null;
  let peers: HostilePeers;
  const hostiles: { close(): void }[] = [];

  beforeAll(async () => {
    // Meshdeck's relay without its record screen: the node's own screen and budgets are under test (the
    // storm goes through a stock GUN relay of its own, below).
    server = await startLocalServer({ port: 9000, screenRecords: false });
    extension = await launchExtensionBrowser();
    popup = await extension.openPopup();
    // A window of its own: a tab behind another is hidden, gets no animation frames, and puppeteer's
    // selectors (which poll on them) would wait forever for the popup.
    dashboard = await openDashboard(extension, { type: 'window', viewport: { width: 1400, height: 1000 } });
    for (const page of [popup, dashboard]) expect(await page.evaluate(() => document.visibilityState)).toBe('visible');
    const snapshot = await until(
      () => extension.snapshot(),
      30_000,
      'the node registered and on the relay',
      (s) => s.signaling.state === 'open' && s.rendezvous.relays.every((r) => r.state === 'open'),
    );
    targetId = snapshot.nodeId;
    peers = await startHostilePeers();
  });

  afterEach(async () => {
    for (const hostile of hostiles.splice(0)) hostile.close();
    // A native crash of Node's WebRTC in the hostile process is that process's own: said, and the next
    // test gets a fresh one.
    const end = peers.ended();
    if (end) {
      console.log(`hostile peers' process ended during the test (${end.signal ? `signal ${end.signal}` : `exit code ${end.code}`}); its stderr: ${end.stderr || 'empty'}`);
      peers = await startHostilePeers();
    }
  });

  afterAll(async () => {
    for (const hostile of hostiles.splice(0)) hostile.close();
    await peers?.close();
    writer?.close();
    // Throws if any extension context counted an uncaught error or unhandled rejection.
    const t = Date.now();
    try {
      await extension?.close();
    } finally {
      console.log(`hostile: browser closed in ${Date.now() - t} ms`);
      await server?.close();
    }
  }, 60_000);

  const track = <T extends { close(): void }>(hostile: T): T => {
    hostiles.push(hostile);
    return hostile;
  };
  const hostileConnect = async (options: HostileConnectOptions = {}) => track(await peers.connect(server.signalingUrl, targetId, options));
  const peerOf = (s: NodeSnapshot, nodeId: string) => s.peers.find((p) => p.nodeId === nodeId);
  const dashboardRows = () =>
    // A row's text with its details (score, last error), which sit under it in the peer's tbody.
    dashboard.evaluate(() => [...document.querySelectorAll('table.connections-live tr[data-node-id]')].map((row) => ({ id: row.getAttribute('data-node-id')!, text: row.closest('tbody')?.textContent ?? '' })));
  const hostLog = async () =>
    (await extension.host()).evaluate(() => (globalThis as unknown as Hook).meshdeck.host.node.log.all());

  /**
   * The popup shows the node enabled and answers; the background answers requests from the popup and
   * from the dashboard; and both views follow the node: the dashboard lists the snapshot's peers and
   * the popup its number of ready ones.
   */
  async function assertLive(after: string): Promise<void> {
    const shown = await within(readPopup(popup), 10_000, `popup after ${after}`);
    expect(shown.enabled).toBe(true);
    for (const page of [popup, dashboard]) {
      const reply = await within(request(page, { type: 'settings:get' }), 10_000, `settings:get after ${after}`);
      expect(reply).toMatchObject({ ok: true, value: { enabled: true } });
    }
    await until(
      async () => {
        const [rows, snapshot, seen] = await Promise.all([dashboardRows(), extension.snapshot(), readPopup(popup)]);
        return { rows: rows.map((r) => r.id).sort(), peers: snapshot.peers.map((p) => p.nodeId).sort(), popupPeers: seen.peers, ready: snapshot.totals.peers };
      },
      20_000,
      `views follow the node after ${after}`,
      (v) => JSON.stringify(v.rows) === JSON.stringify(v.peers) && v.popupPeers === v.ready,
    );
  }

  it('a flood at 10,000 messages a second: bye limit, closed, and gone from the node', async () => {
    const hostile = await hostileConnect();
    await until(dashboardRows, 15_000, 'the hostile peer in the Connections table', (rows) => rows.some((r) => r.id === hostile.nodeId));
    const started = Date.now();
    // 20,000 small frames in 2 s: 100 every 10 ms, until the channel closes.
    const { sent, ms: floodMs } = await hostile.flood({ frame: '{"t":"flood","n":$n}', max: 20_000, perTick: 100, tickMs: 10 });
    await within(hostile.closed, 20_000, 'the flooding connection closed');
    const bye = hostile.frames.find((f) => f.message?.t === 'bye');
    console.log(
      `hostile flood: ${sent} frames sent in ${floodMs} ms; bye ${bye ? `"${String(bye.message!.reason)}" ${bye.at - started} ms after the first frame` : 'never'}; ` +
        `closed ${Date.now() - started} ms after it; the hostile process ${peers.ended() ? `ended (${peers.ended()!.signal ?? peers.ended()!.code})` : 'lives on'}`,
    );
    expect(hostile.byeReason()).toBe('limit');
    const after = await until(() => extension.snapshot(), 15_000, 'the flooder gone from the snapshot', (s) => !peerOf(s, hostile.nodeId));
    expect(after.closedPeers.find((c) => c.nodeId === hostile.nodeId)).toMatchObject({ reason: describeClose('limit'), lastError: expect.stringMatching(/messages a second/) });
    await assertLive('the flood');
  });

  /** A JSON text frame of exactly `bytes` UTF-8 bytes, padded with "é" (two bytes, one UTF-16 unit). */
  const frameOfBytes = (bytes: number): string => {
    const empty = JSON.stringify({ t: 'data', pad: '' });
    const room = bytes - Buffer.byteLength(empty, 'utf8');
    const frame = JSON.stringify({ t: 'data', pad: '\u00e9'.repeat(Math.floor(room / 2)) + 'x'.repeat(room % 2) });
    expect(Buffer.byteLength(frame, 'utf8')).toBe(bytes);
    return frame;
  };

  it('a frame of exactly 256 KiB of UTF-8 (the bound) is taken, and the connection goes on', async () => {
    const hostile = await hostileConnect();
    hostile.send(frameOfBytes(256 * 1024));
    await expectAlive(hostile, 7002);
    await assertLive('a frame at the bound');
  });

  // docs/protocol-v2.md: over 256 KiB is `bye limit`. But WebRTC's SCTP bounds a message at the sender by the
  // max-message-size both ends state (262144 in Chromium's SDP and in @roamhq/wrtc's): libwebrtc closes
  // its own data channel rather than send one byte more, without an error or an exception, and ignores
  // a larger value written into the answer (checked by hand). So from Node or Chromium the frame never
  // reaches the node's own bound; the node must see a lost connection, refuse it either way, and live on.
  it('an oversize frame (300 KiB of UTF-8, under 256 K characters) is refused: bye limit, or our own transport refuses to carry it', async () => {
    const hostile = await hostileConnect();
    // ~150 K characters but ~300 KiB: only a count in bytes catches it.
    const frame = frameOfBytes(300 * 1024);
    expect(frame.length).toBeLessThan(256 * 1024);
    hostile.send(frame);
    await within(hostile.closed, 20_000, 'the oversize sender closed');
    const after = await until(
      () => extension.snapshot(),
      15_000,
      'the oversize sender gone and listed as closed',
      (s) => !peerOf(s, hostile.nodeId) && s.closedPeers.some((c) => c.nodeId === hostile.nodeId),
    );
    const closed = after.closedPeers.find((c) => c.nodeId === hostile.nodeId)!;
    const refusedBy = hostile.byeReason() === 'limit' ? 'the node (bye limit)' : 'our own transport (the frame never left)';
    console.log(
      `hostile oversize: refused by ${refusedBy}; our channel closed while the connection was ${hostile.channelClosedWhile()}; ` +
        `errors here: ${hostile.errors.join(' | ') || 'none'}; the node: ${closed.reason} (${closed.lastError ?? 'no error'})`,
    );
    if (hostile.byeReason() === 'limit') {
      expect(closed).toMatchObject({ reason: describeClose('limit'), lastError: expect.stringMatching(/over 256 KiB/) });
    } else {
      // The node never saw the frame: it lost the channel, and closed nothing itself.
      expect(hostile.byeReason()).toBeNull();
      expect(closed.reason).toBe(describeClose('transport-closed'));
    }
    await assertLive('the oversize frame');
  });

  it('a binary frame: closed as a protocol error, without a bye', async () => {
    const hostile = await hostileConnect();
    // msgpack's map prefix and bytes that are no UTF-8 at all.
    hostile.sendBinary(new Uint8Array([0x82, 0xa1, 0x74, 0xa4, 0xff, 0xfe, 0xc1, 0x80]));
    await within(hostile.closed, 20_000, 'the binary sender closed');
    expect(hostile.byeReason()).toBeNull();
    const after = await until(
      () => extension.snapshot(),
      15_000,
      'the binary sender closed and listed',
      (s) => !peerOf(s, hostile.nodeId) && s.closedPeers.some((c) => c.nodeId === hostile.nodeId),
    );
    expect(after.closedPeers.find((c) => c.nodeId === hostile.nodeId)).toMatchObject({ reason: describeClose('protocol-error'), lastError: expect.stringMatching(/UTF-8 text/) });
    await assertLive('the binary frame');
  });

  /** Sends a ping of our own and waits for its pong: the connection is alive and ready. */
  async function expectAlive(hostile: RemoteHostileConnection, seq: number): Promise<void> {
    hostile.send(JSON.stringify({ t: 'ping', seq, ts: seq }));
    await hostile.waitForFrame((m) => m.t === 'pong' && m.seq === seq, 10_000, `pong ${seq}`);
    expect(hostile.isClosed).toBe(false);
    expect(peerOf(await extension.snapshot(), hostile.nodeId)?.state).toBe('ready');
  }

  it.each([
    {
      name: 'a forged route signature',
      penalty: /bad route signature/,
      frame: (hostile: RemoteHostileConnection) => hostile.routeFrame({ dst: targetId, body: { k: 'data', note: 'forged' } }, { forged: true }),
    },
    {
      name: 'a route whose path is padded with two made-up hops, ttl still 8',
      penalty: /padded/,
      frame: (hostile: RemoteHostileConnection) => {
        const [a, b] = [madeUpNodeId(), madeUpNodeId()];
        return hostile.routeFrame({ src: a, path: [a, b, hostile.nodeId], ttl: 8, dst: targetId, body: { k: 'data', note: 'padded' } });
      },
    },
  ])('$name: dropped, counted against the peer (score below 0, with why), the connection survives', async ({ penalty, frame }) => {
    const hostile = await hostileConnect();
    const before = await extension.snapshot();
    expect(peerOf(before, hostile.nodeId)?.score).toBe(0);
    hostile.send(await frame(hostile));
    const after = await until(
      () => extension.snapshot(),
      10_000,
      'the route dropped and the sender penalised',
      (s) => s.routing.dropped > before.routing.dropped && (peerOf(s, hostile.nodeId)?.score ?? 0) < 0,
    );
    const seen = peerOf(after, hostile.nodeId)!;
    expect(seen.lastPenalty).toMatch(penalty);
    expect(after.routing.delivered).toBe(before.routing.delivered);
    await expectAlive(hostile, 7001);
    // The dashboard shows the score and the reason in the peer's row.
    await until(
      dashboardRows,
      10_000,
      'the score and its reason in the Connections table',
      (rows) => rows.some((r) => r.id === hostile.nodeId && /\u2212\d+ — /.test(r.text) && penalty.test(r.text)),
    );
    await assertLive('a bad route');
  });

  it('a replayed auth from an earlier session is refused (handshake-refused), never ready', async () => {
    const first = await hostileConnect();
    const nodeId = first.nodeId;
    expect(first.targetAuthVerified).toBe(true);
    const replayed = first.authFrame!;
    first.close();
    await until(() => extension.snapshot(), 15_000, 'the first session gone', (s) => !peerOf(s, nodeId));
    const before = await extension.snapshot();

    const second = await hostileConnect({ sameIdentityAs: first, auth: replayed });
    expect(second.authFrame).toBe(replayed);
    // Watch the node's view until the connection is gone: it must never hold it ready.
    let everReady = false;
    const watched = async () => {
      const snapshot = await extension.snapshot();
      if (peerOf(snapshot, nodeId)?.state === 'ready') everReady = true;
      return snapshot;
    };
    const after = await until(watched, 20_000, 'the replaying connection closed on both sides', (s) => second.isClosed && !peerOf(s, nodeId));
    expect(everReady).toBe(false);
    expect(second.frames.some((f) => f.message?.t === 'ping')).toBe(false);
    expect(second.byeReason()).toBeNull();
    expect(after.totals.handshakesRefused).toBeGreaterThan(before.totals.handshakesRefused);
    expect(after.closedPeers.find((c) => c.nodeId === nodeId)).toMatchObject({
      reason: describeClose('handshake-refused'),
      lastError: expect.stringMatching(/auth signature does not verify/),
    });
    await assertLive('the replayed auth');
  });

  it('a broadcast ping, genuinely signed, is delivered but never answered', async () => {
    const hostile = await hostileConnect();
    // Control: a ping addressed to the node is answered, so silence below means something.
    const unicastTs = Date.now();
    hostile.send(await hostile.routeFrame({ dst: targetId, body: { k: 'ping', ts: unicastTs } }));
    const pong = await hostile.waitForFrame((m) => m.t === 'route' && (m.body as { k?: string })?.k === 'pong', 10_000, 'the pong to a unicast ping');
    expect(pong.message).toMatchObject({ src: targetId, dst: hostile.nodeId, body: { k: 'pong', ts: unicastTs } });

    const before = await extension.snapshot();
    const broadcastTs = unicastTs + 1;
    const sentAt = Date.now();
    hostile.send(await hostile.routeFrame({ dst: '*', body: { k: 'ping', ts: broadcastTs } }));
    await until(() => extension.snapshot(), 10_000, 'the broadcast delivered', (s) => s.routing.delivered > before.routing.delivered);
    await sleep(5000);
    const pongsSince = hostile.frames.filter((f) => f.at >= sentAt && f.message?.t === 'route' && (f.message.body as { k?: string })?.k === 'pong');
    expect(pongsSince).toEqual([]);
    const after = await extension.snapshot();
    expect(after.routing.dropped).toBe(before.routing.dropped);
    expect(peerOf(after, hostile.nodeId)?.state).toBe('ready');
    await assertLive('the broadcast ping');
  });

  it('40 silent diallers: at most 16 held in their handshake, the rest closed at once, all gone after the timeout', async () => {
    const ids = new Set(Array.from({ length: 40 }, () => madeUpNodeId()));
    const started = Date.now();
    const diallers: RemoteSilentDialler[] = await Promise.all([...ids].map((id) => peers.dialSilently(server.signalingUrl, targetId, id).then(track)));
    let most = 0;
    const everHeld = new Set<string>();
    const sample = async () => {
      const s = await extension.snapshot();
      const pending = s.peers.filter((p) => ids.has(p.nodeId) && p.state !== 'ready');
      for (const p of pending) everHeld.add(p.nodeId);
      most = Math.max(most, pending.length);
      return s;
    };
    const pollUntil = Date.now() + 6000;
    while (Date.now() < pollUntil) {
      await sample();
      await sleep(50);
    }
    const gone = await until(sample, 30_000, 'every silent dialler gone', (s) => !s.peers.some((p) => ids.has(p.nodeId)));
    const goneAfter = Date.now() - started;
    const log = await hostLog();
    const opened = (await Promise.all(diallers.map((d) => d.state()))).filter((state) => state.opened).length;
    const dropped = new Set(log.filter((e) => e.type === 'peer:dropped' && e.nodeId && ids.has(e.nodeId)).map((e) => e.nodeId!));
    const timedOut = gone.closedPeers.filter((c) => ids.has(c.nodeId) && c.reason === describeClose('handshake-timeout'));
    console.log(
      `hostile silent diallers: most held at once ${most} of ${ids.size} (cap ${MAX_UNAUTHENTICATED_INBOUND}); ${everHeld.size} ever held; ` +
        `${dropped.size} dropped at once; ${timedOut.length} timed out; channels opened at the diallers ${opened}; ` +
        `all gone ${goneAfter} ms after the first dial`,
    );
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(MAX_UNAUTHENTICATED_INBOUND);
    expect(everHeld.size).toBeLessThanOrEqual(MAX_UNAUTHENTICATED_INBOUND);
    // Every dialler that was not held was dropped on arrival.
    expect(dropped.size + everHeld.size).toBeGreaterThanOrEqual(ids.size);
    expect(timedOut.map((c) => c.nodeId).sort()).toEqual([...everHeld].sort());
    await assertLive('the silent diallers');
  });

  it('a record dated a year ahead, validly signed: counted invalid, never listed', async () => {
    writer ??= openRoomWriter(server.relayUrl, 'default');
    const [ahead, control] = await Promise.all([makeIdentity(), makeIdentity()]);
    const before = await extension.snapshot();
    const yearAhead = await sybilRecord(ahead, { signal: [server.signalingUrl], routing: true, neighbors: [] }, Date.now() + 365 * 24 * 3600_000);
    // Control, beside it: a valid record (on a signaling server nobody can reach here, so never dialled).
    const valid = await sybilRecord(control, { signal: ['http://127.0.0.1:9/peerjs'], routing: true, neighbors: [] });
    await writer.put([
      [ahead.identity.nodeId, yearAhead],
      [control.identity.nodeId, valid],
    ]);
    const seen = await until(
      () => extension.snapshot(),
      20_000,
      'the record counted invalid, the control listed',
      (s) => s.rendezvous.invalid > before.rendezvous.invalid && s.discovered.some((d) => d.nodeId === control.identity.nodeId),
    );
    expect(seen.rendezvous.invalid).toBe(before.rendezvous.invalid + 1);
    for (let i = 0; i < 10; i++) {
      expect((await extension.snapshot()).discovered.map((d) => d.nodeId)).not.toContain(ahead.identity.nodeId);
      await sleep(300);
    }
    await assertLive('the record dated ahead');
  });

  it('a storm of 10,000 junk and 500 Sybil records through a stock GUN relay: the node finds and dials a valid newcomer, the views stay live', async () => {
    // The gun package's own server, in a process of its own: it stores and forwards all of it.
    const stock = await startStockGunRelay(9002);
    const stockWriter = openRoomWriter(stock.relayUrl, 'default');
    await request(popup, { type: 'settings:update', patch: { relayUrls: [stock.relayUrl] } });
    await until(() => extension.snapshot(), 30_000, 'the node on the stock relay', (s) => s.rendezvous.relays.some((r) => r.url === stock.relayUrl && r.state === 'open'));
    try {
      await stormThroughStockRelay(stock.relayUrl, stockWriter);
    } finally {
      stockWriter.close();
      await request(popup, { type: 'settings:update', patch: { relayUrls: [server.relayUrl] } });
      await stock.close();
    }
  }, 240_000);

  async function stormThroughStockRelay(relayUrl: string, stormWriter: RoomWriter): Promise<void> {
    let started = Date.now();
    const sybils = await makeIdentities(500);
    const content = { signal: [server.signalingUrl], routing: true, neighbors: [] };
    const sybilRecords = await Promise.all(sybils.map((identity) => sybilRecord(identity, content)));
    const genuineTs = new Map(sybilRecords.map((r) => [r.id, r.ts]));
    const junk = junkRecords(10_000, sybilRecords, server.signalingUrl);
    const junkKeys = new Set(junk.map(([key]) => key));
    console.log(`hostile storm: 500 Sybil identities and records made in ${Date.now() - started} ms`);
    // Interleaved, as a storm would come.
    const entries: [string, object][] = [...sybilRecords.map((r): [string, object] => [r.id, r]), ...junk];
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    const before = await extension.snapshot();
    // How the views and the node host fare, measured inside them, from the first put on.
    const [readPopupProbe, readDashboardProbe, readHostStall] = await Promise.all([startViewProbe(popup), startViewProbe(dashboard), extension.host().then(startStallProbe)]);
    const readOwnStall = startOwnStallProbe();
    // What the node has taken in, every second.
    const intake: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      const t0 = Date.now();
      while (sampling) {
        const s = await extension.snapshot();
        intake.push(`${((Date.now() - t0) / 1000).toFixed(0)}s seen ${s.rendezvous.seen} valid ${s.rendezvous.valid} invalid ${s.rendezvous.invalid}`);
        await sleep(2000);
      }
    })();
    started = Date.now();
    // A stock relay acknowledges no batch: waiting half a second for each is enough.
    const { puts, acked } = await stormWriter.put(entries, { batch: 250, ackTimeoutMs: 500 });
    console.log(`hostile storm: ${entries.length} records put in ${Date.now() - started} ms (${acked} of ${puts} puts acknowledged by the relay)`);

    // A meshdeck-node process: Node's WebRTC may crash natively when a connection closes while the
    // remote closes it too, and a crash must be the newcomer's, never this test worker's. It dials no
    // one (--max-peers 0): the node under test must find its record and dial it.
    const newcomerDir = await mkdtemp(path.join(tmpdir(), 'meshdeck-newcomer-'));
    const newcomerProcess = spawnMeshdeckNode(['--identity', path.join(newcomerDir, 'newcomer.json'), '--no-dashboard', '--max-peers', '0', '--signaling', server.signalingUrl, '--relay', relayUrl]);
    track({ close: () => void newcomerProcess.stop().finally(() => rm(newcomerDir, { recursive: true, force: true })) });
    const newcomer = { node: { nodeId: await newcomerProcess.started() } };
    const announcedAt = Date.now();
    try {
      // Generous: measured 2.7 s here (45 s before the node read the room itself, issue 22).
      let listedAfter: number | null = null;
      const ready = await until(
        async () => {
          const s = await extension.snapshot();
          if (listedAfter === null && s.discovered.some((d) => d.nodeId === newcomer.node.nodeId)) listedAfter = Date.now() - announcedAt;
          return s;
        },
        60_000,
        'the newcomer ready with the extension',
        (s) => peerOf(s, newcomer.node.nodeId)?.state === 'ready',
      );
      expect(peerOf(ready, newcomer.node.nodeId)!.direction).toBe('outbound');
      const sybilIds = new Set(sybilRecords.map((r) => r.id));
      console.log(
        `hostile storm: the newcomer ready with the extension ${Date.now() - announcedAt} ms after it started (storm put ${announcedAt - started} ms before; ` +
          `${peerOf(ready, newcomer.node.nodeId)!.direction} at the extension; its record listed by the extension ${listedAfter === null ? 'not yet' : `after ${listedAfter} ms`}); Sybils dialled in vain meanwhile: ${new Set(ready.closedPeers.filter((c) => sybilIds.has(c.nodeId)).map((c) => c.nodeId)).size}`,
      );
    } finally {
      sampling = false;
      await sampler;
      const [popupProbe, dashboardProbe, hostStall] = await Promise.all([readPopupProbe(), readDashboardProbe(), readHostStall()]);
      console.log(
        `hostile storm: popup requests ${JSON.stringify(popupProbe)}; dashboard requests ${JSON.stringify(dashboardProbe)}; ` +
          `longest stall of the node host ${hostStall} ms, of this test process ${readOwnStall()} ms; intake: ${intake.join('; ')}`,
      );
      // Each view kept answering throughout: no failure, and no request left waiting past a generous bound.
      for (const probe of [popupProbe, dashboardProbe]) {
        expect(probe.failures).toEqual([]);
        expect(probe.rounds).toBeGreaterThan(0);
        expect(probe.pendingMs).toBeLessThan(15_000);
      }
    }
    const after = await until(() => extension.snapshot(), 20_000, 'invalid records counted', (s) => s.rendezvous.invalid > before.rendezvous.invalid);
    console.log(
      `hostile storm: rendezvous seen ${after.rendezvous.seen}, valid ${after.rendezvous.valid}, invalid ${after.rendezvous.invalid} (was ${before.rendezvous.invalid}); ` +
        `discovered ${after.discovered.length}`,
    );
    // No junk key is ever listed, and a forged newer copy never replaced a Sybil's genuine record.
    for (const node of after.discovered) {
      expect(junkKeys.has(node.nodeId) && !genuineTs.has(node.nodeId)).toBe(false);
      if (genuineTs.has(node.nodeId)) expect(node.announcedAt).toBe(genuineTs.get(node.nodeId));
    }
    await assertLive('the record storm');
  }
});
