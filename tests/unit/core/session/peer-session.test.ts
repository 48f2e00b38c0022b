import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock, type Clock } from '../../../../core/lib/clock';
import { FakeClock, eventually } from '../../../support/fake-clock';
import { BYTE_RATE, MAX_SEND_BUFFER_BYTES } from '../../../../core/session/peer-session';
import { IdentityVerifier, type Identity } from '../../../../core/identity/identity';
import type { CloseReason } from '../../../../core/session/close-reason';
import { HANDSHAKE_TIMEOUT_MS, PeerSession } from '../../../../core/session/peer-session';
import type { SessionPolicy } from '../../../../core/session/session-policy';
import { authText } from '../../../../core/session/wire';
import { linkPair, type MemoryLink } from '../../../../server/sim/memory-network';
import { makeIdentity } from '../../../support/identities';

const policy: SessionPolicy = { isBlocked: () => false, app: 'meshdeck/test', caps: [] };

function session(link: MemoryLink, identity: Identity, blocked = policy.isBlocked, clock: Clock = systemClock): PeerSession {
  return new PeerSession(link, identity, new IdentityVerifier(), { ...policy, isBlocked: blocked }, clock);
}

function closeReason(s: PeerSession): Promise<CloseReason> {
  return new Promise((resolve) => s.events.on('session:close', ({ reason }) => resolve(reason)));
}

function ready(s: PeerSession): Promise<void> {
  return new Promise((resolve) => s.events.on('session:ready', () => resolve()));
}

/** Two sessions over a fresh link pair, both ready. */
async function readyPair(a: Identity, b: Identity) {
  const [la, lb] = linkPair(a.nodeId, b.nodeId);
  const sa = session(la, a);
  const sb = session(lb, b);
  la.open();
  lb.open();
  await Promise.all([ready(sa), ready(sb)]);
  return { la, lb, sa, sb };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

describe('PeerSession handshake', () => {
  let a: Identity;
  let b: Identity;
  beforeEach(async () => {
    [a, b] = await Promise.all([makeIdentity(), makeIdentity()]).then((pair) => pair.map((p) => p.identity));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('becomes ready on both sides after hello and auth, with the peer verified', async () => {
    const { sa, sb } = await readyPair(a, b);
    expect(sa.peer?.userId).toBe(b.userId);
    expect(sb.peer?.nodeId).toBe(a.nodeId);
    expect(sa.lastHandshakeAt).not.toBeNull();
    sa.close('shutdown');
    expect(await closeReason(sb)).toBe('remote:shutdown');
    expect(sa.pendingTimers + sb.pendingTimers).toBe(0);
  });

  it('refuses any other message before the handshake, and tells the peer nothing', async () => {
    const [la, lb] = linkPair(a.nodeId, b.nodeId);
    const sb = session(lb, b);
    lb.open();
    la.isOpen = true;
    la.send(JSON.stringify({ t: 'ping', seq: 1, ts: 1 }));
    expect(await closeReason(sb)).toBe('handshake-refused');
    expect(sb.lastError).toMatch(/"ping" before the handshake/);
    expect(lb.sent.map((f) => JSON.parse(f).t)).toEqual(['hello']);
  });

  it('refuses a hello whose node ID does not derive from its key', async () => {
    const { stored: forger } = await makeIdentity();
    const [la, lb] = linkPair(a.nodeId, b.nodeId);
    const sb = session(lb, b);
    lb.open();
    la.isOpen = true;
    // Claims to be `a` (the connection's peer ID) while presenting the forger's keys.
    la.send(JSON.stringify({
      t: 'hello', v: 2, node: { id: a.nodeId, pub: forger.node.pub }, user: { id: a.userId, pub: forger.user.pub },
      cert: forger.cert, nonce: 'x', caps: [], app: 'forger',
    }));
    expect(await closeReason(sb)).toBe('handshake-refused');
    expect(sb.lastError).toMatch(/does not derive/);
    expect(lb.sent.some((f) => JSON.parse(f).t === 'auth')).toBe(false);
  });

  it('refuses a genuine hello that does not match the connection\'s peer ID', async () => {
    const { identity: c } = await makeIdentity();
    const [la, lb] = linkPair(a.nodeId, b.nodeId);
    const sb = session(lb, b);
    const sc = session(la, c); // c speaks on a link that signaling says is a's
    la.open();
    lb.open();
    expect(await closeReason(sb)).toBe('handshake-refused');
    expect(sb.lastError).toMatch(/peer ID/);
    sc.close('shutdown');
  });

  it('refuses an auth signed over the wrong nonce', async () => {
    const [la, lb] = linkPair(a.nodeId, b.nodeId);
    const sb = session(lb, b);
    lb.open();
    la.isOpen = true;
    la.send(JSON.stringify({
      t: 'hello', v: 2, node: { id: a.nodeId, pub: a.nodePub }, user: { id: a.userId, pub: a.userPub },
      cert: a.cert, nonce: 'n1', caps: [], app: 'x',
    }));
    la.send(JSON.stringify({ t: 'auth', sig: await a.sign(authText('not-the-nonce', a.nodeId, b.nodeId, la.localFingerprint, lb.localFingerprint)) }));
    expect(await closeReason(sb)).toBe('handshake-refused');
    expect(sb.lastError).toMatch(/auth signature/);
  });

  it('closes silently a peer that is blocked', async () => {
    const [la, lb] = linkPair(a.nodeId, b.nodeId);
    const sa = session(la, a);
    const sb = session(lb, b, (nodeId) => nodeId === a.nodeId);
    const reasons = Promise.all([closeReason(sa), closeReason(sb)]);
    la.open();
    lb.open();
    expect(await reasons).toEqual(['transport-closed', 'handshake-refused']);
    expect(lb.sent.map((f) => JSON.parse(f).t)).toEqual(['hello']);
  });

  it('tells a stranger of trusted-only mode so with bye blocked, keeping its verified user ID', async () => {
    const [la, lb] = linkPair(a.nodeId, b.nodeId);
    const sa = session(la, a);
    const sb = new PeerSession(lb, b, new IdentityVerifier(), { ...policy, isStranger: (nodeId, userId) => nodeId === a.nodeId && userId === a.userId }, systemClock);
    const reasons = Promise.all([closeReason(sa), closeReason(sb)]);
    la.open();
    lb.open();
    expect(await reasons).toEqual(['remote:blocked', 'blocked']);
    expect(lb.sent.map((f) => JSON.parse(f))).toEqual([expect.objectContaining({ t: 'hello' }), { t: 'bye', reason: 'blocked' }]);
    expect(sb.peer?.userId).toBe(a.userId);
    expect(sb.lastError).toMatch(/not a trusted peer/);
  });

  it('times out a handshake that never completes', async () => {
    vi.useFakeTimers();
    const [, lb] = linkPair(a.nodeId, b.nodeId);
    const sb = session(lb, b);
    lb.open();
    const reason = closeReason(sb);
    vi.advanceTimersByTime(HANDSHAKE_TIMEOUT_MS + 1);
    expect(await reason).toBe('handshake-timeout');
    expect(sb.pendingTimers).toBe(0);
  });

  it('closes with bye limit on an oversized message and on a flood', async () => {
    const { la, sb } = await readyPair(a, b);
    la.send(JSON.stringify({ t: 'data', pad: 'x'.repeat(256 * 1024) }));
    expect(await closeReason(sb)).toBe('limit');

    const [lc, ld] = linkPair(a.nodeId, b.nodeId);
    const sc = session(lc, a);
    const sd = session(ld, b);
    lc.open();
    ld.open();
    await Promise.all([ready(sc), ready(sd)]);
    const closed = closeReason(sd);
    for (let i = 0; i < 500; i++) lc.send(JSON.stringify({ t: 'noop' }));
    expect(await closed).toBe('limit');
    await flush();
    expect(lc.isClosed).toBe(true);
  });

  it('handles messages strictly in order although verification is async', async () => {
    // b dials a here, so b speaks first and its nonce is known before a's frames are sent.
    const [lb, la] = linkPair(b.nodeId, a.nodeId);
    const sb = session(lb, b);
    lb.open();
    la.isOpen = true;
    const nonce = JSON.parse(lb.sent[0]!).nonce as string;
    // hello then auth back to back: auth must wait for hello's async verification.
    la.send(JSON.stringify({
      t: 'hello', v: 2, node: { id: a.nodeId, pub: a.nodePub }, user: { id: a.userId, pub: a.userPub },
      cert: a.cert, nonce: 'peer-nonce', caps: [], app: 'x',
    }));
    la.send(JSON.stringify({ t: 'auth', sig: await a.sign(authText(nonce, a.nodeId, b.nodeId, la.localFingerprint, lb.localFingerprint)) }));
    await ready(sb);
    expect(sb.isReady).toBe(true);
    sb.close('shutdown');
  });

  it('the dialled side answers hello with hello and never speaks first', async () => {
    const [la, lb] = linkPair(a.nodeId, b.nodeId);
    const sb = session(lb, b);
    lb.open();
    expect(lb.sent).toEqual([]);
    const sa = session(la, a);
    la.open();
    await Promise.all([ready(sa), ready(sb)]);
    expect(lb.sent.map((f) => JSON.parse(f).t).slice(0, 2)).toEqual(['hello', 'auth']);
    sa.close('shutdown');
  });

  it('teardown is idempotent: a second close, or a close after the transport went, does nothing', async () => {
    const { la, sa, sb } = await readyPair(a, b);
    const reasons: string[] = [];
    sa.events.on('session:close', ({ reason }) => reasons.push(reason));
    sa.close('user-disconnect');
    sa.close('shutdown');
    la.close();
    await flush();
    expect(reasons).toEqual(['user-disconnect']);
    expect(sa.closeReason).toBe('user-disconnect');
    expect(la.sent.filter((f) => JSON.parse(f).t === 'bye')).toHaveLength(1);
    expect(sa.pendingTimers + sb.pendingTimers).toBe(0);
    expect(la.events.listenerCount).toBe(0);
  });

  it('a bye queued before the transport closed still gives the reason, even if answering an earlier ping fails', async () => {
    const { lb, sa, sb } = await readyPair(a, b);
    await flush();
    sa.events.clear();
    const reason = closeReason(sb);
    // A ping and a bye arrive, then the channel closes before sb has handled either: the pong to
    // the ping fails on the closed transport.
    lb.events.emit('frame', JSON.stringify({ t: 'ping', seq: 99, ts: 1 }));
    lb.events.emit('frame', JSON.stringify({ t: 'bye', reason: 'shutdown' }));
    lb.isOpen = false;
    lb.isClosed = true;
    lb.events.emit('close', undefined);
    expect(await reason).toBe('remote:shutdown');
    sa.close('shutdown');
  });

  it('a throwing session listener is reported and loses neither the next frame nor the close', async () => {
    const [la, lb] = linkPair(a.nodeId, b.nodeId);
    const sa = session(la, a);
    const sb = session(lb, b);
    const faults: unknown[] = [];
    sb.events.on('session:fault', ({ error }) => faults.push(error));
    // A listener of ours that throws when the peer becomes ready (a bug elsewhere in the node).
    sb.events.on('session:ready', () => {
      throw new Error('listener bug');
    });
    la.open();
    lb.open();
    await ready(sa);
    await flush();
    expect(sb.isReady).toBe(true);
    expect(faults).toEqual([expect.objectContaining({ message: 'listener bug' })]);
    expect(sb.lastError).toBe('listener bug');
    // The inbox still runs: a ping after the fault is answered, and the transport's close arrives.
    const closed = closeReason(sb);
    la.send(JSON.stringify({ t: 'ping', seq: 7, ts: 7 }));
    await flush();
    expect(lb.sent.map((f) => JSON.parse(f)).some((m) => m.t === 'pong' && m.seq === 7)).toBe(true);
    la.close();
    expect(await closed).toBe('transport-closed');
  });

  it('probes the peer at once when the transport suspects the path', async () => {
    const { la, sa, sb } = await readyPair(a, b);
    await flush();
    const pingsBefore = la.sent.filter((f) => JSON.parse(f).t === 'ping').length;
    la.events.emit('suspect', undefined);
    expect(la.sent.filter((f) => JSON.parse(f).t === 'ping').length).toBe(pingsBefore + 1);
    sa.close('shutdown');
    sb.close('shutdown');
  });

  it('refuses a version 1 hello: no downgrade', async () => {
    const [la, lb] = linkPair(a.nodeId, b.nodeId);
    const sb = session(lb, b);
    lb.open();
    la.isOpen = true;
    la.send(JSON.stringify({
      t: 'hello', v: 1, node: { id: a.nodeId, pub: a.nodePub }, user: { id: a.userId, pub: a.userPub },
      cert: a.cert, nonce: 'n1', caps: [], app: 'x',
    }));
    expect(await closeReason(sb)).toBe('handshake-refused');
    expect(sb.lastError).toMatch(/version 1/);
  });

  it('refuses, on both sides, a connection relayed by a party that terminates DTLS on each', async () => {
    const [la, lb] = linkPair(a.nodeId, b.nodeId);
    // The relay shows each end its own certificate: the fingerprint pairs the two ends see differ.
    la.fingerprints = () => ({ local: la.localFingerprint, remote: 'AA:' + lb.localFingerprint.slice(3) });
    lb.fingerprints = () => ({ local: lb.localFingerprint, remote: 'BB:' + la.localFingerprint.slice(3) });
    const sa = session(la, a);
    const sb = session(lb, b);
    const reasons = Promise.all([closeReason(sa), closeReason(sb)]);
    la.open();
    lb.open();
    expect(await reasons).toEqual(['handshake-refused', 'handshake-refused']);
    expect(sa.isReady || sb.isReady).toBe(false);
    expect(sa.lastError).toMatch(/auth signature does not verify/);
  });

  it('counts frame sizes in UTF-8 bytes before parsing: 70,000 emoji are over 256 KiB', async () => {
    const { la, sb } = await readyPair(a, b);
    const closed = closeReason(sb);
    // 140,000 UTF-16 units, 280,000 bytes.
    la.send(JSON.stringify({ t: 'data', pad: '😀'.repeat(70_000) }));
    expect(await closed).toBe('limit');
    expect(sb.lastError).toMatch(/over 256 KiB/);
  });

  it('closes a peer that sends more bytes than its budget, each frame within the size bound', async () => {
    const { la, sb } = await readyPair(a, b);
    const closed = closeReason(sb);
    const frame = JSON.stringify({ t: 'data', pad: 'x'.repeat(250 * 1024) });
    for (let i = 0; i * 250 * 1024 <= BYTE_RATE.burst + 250 * 1024 && !la.isClosed; i++) la.send(frame);
    expect(await closed).toBe('limit');
    expect(sb.lastError).toMatch(/MiB a second/);
  });

  it('closes at once on a frame that is not text, and keeps nothing of it', async () => {
    const { lb, sb } = await readyPair(a, b);
    const closed = closeReason(sb);
    lb.events.emit('frame:refused', 'a binary frame that is not UTF-8 text');
    expect(await closed).toBe('protocol-error');
    expect(sb.lastError).toMatch(/only UTF-8 text frames/);
  });

  it('closes rather than queue without end for a peer that does not read', async () => {
    const { la, sa } = await readyPair(a, b);
    const closed = closeReason(sa);
    la.bufferedBytes = MAX_SEND_BUFFER_BYTES + 1;
    sa.send({ t: 'ping', seq: 1, ts: 1 });
    expect(await closed).toBe('limit');
    expect(sa.lastError).toMatch(/does not read/);
  });

  it('a step of the wall clock closes no peer: budgets and heartbeat run on the monotonic clock', async () => {
    const clock = new FakeClock();
    const [la, lb] = linkPair(a.nodeId, b.nodeId);
    const sa = session(la, a, policy.isBlocked, clock);
    const sb = session(lb, b, policy.isBlocked, clock);
    la.open();
    lb.open();
    await eventually(() => sa.isReady && sb.isReady, 'ready');
    // a answers b's pings 600 ms late, so b always has a ping in flight when the wall clock steps.
    const send = la.send.bind(la);
    la.send = (frame) => void (JSON.parse(frame).t === 'pong' ? clock.setTimeout(() => !la.isClosed && send(frame), 600) : send(frame));
    // The wall clock goes back an hour; then a steady 300 messages a second for 3 s, within the
    // budget (a burst of 400, 200 a second) only if it keeps refilling.
    clock.stepWall(-3_600_000);
    for (let tick = 0; tick < 30 && sb.isReady; tick++) {
      for (let i = 0; i < 30; i++) lb.events.emit('frame', JSON.stringify({ t: 'noop' }));
      await clock.advance(100);
    }
    expect(sb.isReady).toBe(true);
    // Steps 500 ms apart over a 2 s ping interval: at least one lands while a ping is in flight.
    for (let i = 0; i < 4; i++) {
      clock.stepWall(3_600_000);
      await clock.advance(500);
    }
    await clock.advance(3000);
    expect(sa.isReady && sb.isReady).toBe(true);
    // Nor does it bend the figures: no ping looks lost or an hour long.
    expect(sb.snapshot()).toMatchObject({ loss: 0, rttMs: 600 });
    sa.close('shutdown');
    sb.close('shutdown');
  });
});
