/**
 * The extension's node against hostile peers, in real Chromium (loopback-only namespace). Each hostile
 * peer speaks wire protocol v2 by hand (tests/support/hostile-peer.ts), in a child process of its own
 * (tests/support/hostile-peer-process.ts: Node's WebRTC may crash natively there, and a crash is the
 * child's, reported as such, never this test worker's), and does what an honest node never would:
 * floods, oversize and binary frames, forged and padded routes, a replayed auth, a broadcast ping, a
 * crowd of silent diallers. Each attack must be refused or survived, and the popup and the dashboard
 * must stay live throughout (tests/support/attacked-extension.ts). hostile-records.test.ts: attacks
 * through the rendezvous mesh.
 *
 * Bounds are generous (this machine is loaded) and only keep a broken build from hanging the suite;
 * measured figures are printed, never asserted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeClose } from '../../core/session/close-reason';
import { MAX_UNAUTHENTICATED_INBOUND } from '../../core/node/inbound-gate';
import type { LocalServer } from '../../server/local-server';
import { peerOf, startAttackedExtension, type AttackedExtension } from '../support/attacked-extension';
import type { ExtensionBrowser } from '../support/extension-browser';
import { until } from '../support/until';
import { madeUpNodeId } from '../support/ids';
import { startHostilePeers, type HostileConnectOptions, type HostilePeers, type RemoteHostileConnection, type RemoteSilentDialler } from '../support/hostile-peer-process';
import { within } from '../support/view-probes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the extension under attack by hostile peers', () => {
  let attacked: AttackedExtension;
  let server: LocalServer;
  let extension: ExtensionBrowser;
  let targetId: string;
  const hostiles: { close(): void }[] = [];
  const track = <T extends { close(): void }>(hostile: T): T => {
    hostiles.push(hostile);
    return hostile;
  };
  const dashboardRows = () => attacked.dashboardRows();
  const hostLog = () => attacked.hostLog();
  const assertLive = (after: string) => attacked.assertLive(after);
  let peers: HostilePeers;

  beforeAll(async () => {
    attacked = await startAttackedExtension();
    ({ server, extension, targetId } = attacked);
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
    // Throws if any extension context counted an uncaught error or unhandled rejection.
    await attacked?.close();
  }, 60_000);

  const hostileConnect = async (options: HostileConnectOptions = {}) => track(await peers.connect(server.signalingUrl, targetId, options));

  it('a flood at 10,000 messages a second: bye limit, closed, and gone from the node', async () => {
    const hostile = await hostileConnect();
    await until(dashboardRows, 15_000, 'the hostile peer in the Connections table', (rows) => rows.some((r) => r.id === hostile.nodeId));
    const started = Date.now();
    // 20,000 small frames in 2 s: 100 every 10 ms, until the channel closes.
    const flooded = await hostile.flood({ frame: '{"t":"flood","n":$n}', max: 20_000, perTick: 100, tickMs: 10 }).catch((error: unknown) => {
      // Node's WebRTC may crash natively on the side whose flooded connection is closed: the crash is
      // the hostile process's own, and what the node did is then read from the node alone (below).
      if (peers.ended()?.signal) return null;
      throw error;
    });
    if (flooded) {
      await within(hostile.closed, 20_000, 'the flooding connection closed');
      const bye = hostile.frames.find((f) => f.message?.t === 'bye');
      console.log(
        `hostile flood: ${flooded.sent} frames sent in ${flooded.ms} ms; bye ${bye ? `"${String(bye.message!.reason)}" ${bye.at - started} ms after the first frame` : 'never'}; ` +
          `closed ${Date.now() - started} ms after it; the hostile process ${peers.ended() ? `ended (${peers.ended()!.signal ?? peers.ended()!.code})` : 'lives on'}`,
      );
      expect(hostile.byeReason()).toBe('limit');
    } else {
      console.log(`hostile flood: the hostile process crashed natively (${peers.ended()!.signal}) ${Date.now() - started} ms into the flood; the node's side is checked`);
    }
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
});
