/**
 * The handshake of one connection alone (core/session/handshake.ts), both ends driven by hand over
 * in-memory links: what hello states, the steps a genuine hello and auth give, the channel binding both
 * ends compute, and what is refused: an auth over other fingerprints, another nonce or another key; a
 * hello of another version, of another node than the link's or whose identity does not verify; a
 * blocked peer or a stranger; and anything out of order. Messages cross as the session hands them on,
 * JSON through parseWireMessage.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Handshake } from '../../../../core/session/handshake';
import { IdentityVerifier, type Identity } from '../../../../core/identity/identity';
import { STRANGER_REFUSED, type SessionPolicy } from '../../../../core/session/session-policy';
import { authText, parseWireMessage, WIRE_VERSION, type Hello, type WireMessage } from '../../../../core/session/wire';
import { linkPair, type MemoryLink } from '../../../../server/sim/memory-network';
import { makeIdentity } from '../../../support/identities';

const policy: SessionPolicy = { isBlocked: () => false, app: 'meshdeck/test', caps: ['route'] };

/** A message as the other end receives it. */
const wire = (message: unknown): WireMessage | null => parseWireMessage(JSON.stringify(message));

const handshake = (link: MemoryLink, identity: Identity, overrides: Partial<SessionPolicy> = {}) =>
  new Handshake(link, identity, new IdentityVerifier(), { ...policy, ...overrides });

/** The auth message a step answered with; fails the test if the step was anything else. */
function authOf(step: Awaited<ReturnType<Handshake['step']>>): WireMessage {
  if (step.kind !== 'auth') throw new Error(`expected an auth step, got ${JSON.stringify(step)}`);
  return step.message;
}

let a: Identity;
let b: Identity;
let c: Identity;
beforeAll(async () => {
  [{ identity: a }, { identity: b }, { identity: c }] = await Promise.all([makeIdentity(), makeIdentity(), makeIdentity()]);
});

/** `a` dials `b`: one handshake at each end of a fresh link pair. */
function connection() {
  const [la, lb] = linkPair(a.nodeId, b.nodeId);
  return { la, lb, ha: handshake(la, a), hb: handshake(lb, b) };
}

/** Both hellos exchanged: each end's auth for the other, not yet delivered. */
async function hellosExchanged(ha: Handshake, hb: Handshake) {
  const authOfB = authOf(await hb.step(wire(ha.hello())));
  const authOfA = authOf(await ha.step(wire(hb.hello())));
  return { authOfA, authOfB };
}

describe('Handshake: hello', () => {
  it('states the node, user and certificate of its identity, the policy’s caps and app, at WIRE_VERSION', () => {
    const { ha } = connection();
    const hello = wire(ha.hello()) as Hello;
    expect(hello).toMatchObject({
      t: 'hello',
      v: WIRE_VERSION,
      node: { id: a.nodeId, pub: a.nodePub },
      user: { id: a.userId, pub: a.userPub },
      cert: { at: a.cert.at, sig: a.cert.sig },
      caps: ['route'],
      app: 'meshdeck/test',
    });
  });

  it('carries one nonce for the whole handshake, and a fresh one in every other handshake', () => {
    const { ha } = connection();
    const { ha: again } = connection();
    expect(ha.hello().nonce).toBe(ha.hello().nonce);
    expect(again.hello().nonce).not.toBe(ha.hello().nonce);
    expect(ha.hello().nonce.length).toBeGreaterThanOrEqual(20);
  });
});

describe('Handshake: a genuine peer', () => {
  it('answers its hello with our auth and the verified peer, and becomes ready on its auth, at both ends', async () => {
    const { ha, hb } = connection();
    const stepOfB = await hb.step(wire(ha.hello()));
    expect(stepOfB).toMatchObject({ kind: 'auth', peer: { nodeId: a.nodeId, userId: a.userId }, message: { t: 'auth' } });
    const stepOfA = await ha.step(wire(hb.hello()));
    expect(stepOfA).toMatchObject({ kind: 'auth', peer: { nodeId: b.nodeId, userId: b.userId } });
    expect(await ha.step(wire(authOf(stepOfB)))).toEqual({ kind: 'ready' });
    expect(await hb.step(wire(authOf(stepOfA)))).toEqual({ kind: 'ready' });
  });

  it('gives both ends the same channel binding, naming both nonces and fingerprints, and none before the peer’s hello', async () => {
    const { la, lb, ha, hb } = connection();
    expect(ha.binding()).toBeNull();
    await hellosExchanged(ha, hb);
    const binding = ha.binding();
    expect(binding).toBe(hb.binding());
    for (const part of [a.nodeId, b.nodeId, ha.hello().nonce, hb.hello().nonce, la.localFingerprint, lb.localFingerprint]) {
      expect(binding).toContain(part);
    }
  });
});

describe('Handshake: a forged or misrouted auth', () => {
  it('refuses it when a party in the middle terminates DTLS on each side, whose bindings then differ too', async () => {
    // Each end's link leads to the middle, which relays every frame unchanged: only the fingerprints differ.
    const [la, toB] = linkPair(a.nodeId, b.nodeId);
    const [, lb] = linkPair(a.nodeId, b.nodeId);
    expect(toB.localFingerprint).not.toBe(lb.localFingerprint);
    const ha = handshake(la, a);
    const hb = handshake(lb, b);
    const { authOfA, authOfB } = await hellosExchanged(ha, hb);
    expect(await hb.step(wire(authOfA))).toMatchObject({ kind: 'refuse', why: expect.stringMatching(/auth signature does not verify/) });
    expect(await ha.step(wire(authOfB))).toMatchObject({ kind: 'refuse' });
    expect(ha.binding()).not.toBe(hb.binding());
  });

  it('refuses an auth the peer signed for another connection (another nonce)', async () => {
    const earlier = connection();
    const { authOfA: replayed } = await hellosExchanged(earlier.ha, earlier.hb);
    const { ha, hb } = connection();
    await hellosExchanged(ha, hb);
    expect(await hb.step(wire(replayed))).toMatchObject({ kind: 'refuse', why: expect.stringMatching(/auth signature/) });
  });

  it('refuses an auth signed by another node key than the one its hello showed, over the very text that verifies from it', async () => {
    const { la, lb, ha, hb } = connection();
    await hellosExchanged(ha, hb);
    // What `a` signs for `b` on this connection: b's nonce, both node IDs, a's then b's fingerprint.
    const text = authText(hb.hello().nonce, a.nodeId, b.nodeId, la.localFingerprint, lb.localFingerprint);
    expect(await hb.step(wire({ t: 'auth', sig: await c.sign(text) }))).toMatchObject({ kind: 'refuse', why: expect.stringMatching(/auth signature/) });
    expect(await hb.step(wire({ t: 'auth', sig: await a.sign(text) }))).toEqual({ kind: 'ready' });
  });
});

describe('Handshake: a refused hello', () => {
  it('refuses a hello of another protocol version, whatever else it says', async () => {
    for (const v of [WIRE_VERSION - 1, WIRE_VERSION + 1]) {
      const { ha, hb } = connection();
      expect(await hb.step(wire({ ...ha.hello(), v }))).toEqual({ kind: 'refuse', why: `unsupported protocol version ${v}` });
      expect(hb.binding()).toBeNull();
    }
  });

  it('refuses a genuine hello of another node than the connection’s peer', async () => {
    const { hb } = connection();
    const [lc] = linkPair(c.nodeId, b.nodeId);
    expect(await hb.step(wire(handshake(lc, c).hello()))).toMatchObject({ kind: 'refuse', why: expect.stringMatching(/peer ID/) });
  });

  it('refuses a hello whose identity does not verify, without throwing: a certificate of another user, a key that is no key', async () => {
    const [lc] = linkPair(c.nodeId, b.nodeId);
    const certOfC = handshake(lc, c).hello().cert;
    const { ha, hb } = connection();
    expect(await hb.step(wire({ ...ha.hello(), cert: certOfC }))).toMatchObject({ kind: 'refuse', why: expect.stringMatching(/certificate does not verify/) });
    expect(await hb.step(wire({ ...ha.hello(), node: { id: a.nodeId, pub: 'not-a-key' } }))).toMatchObject({ kind: 'refuse', why: expect.stringMatching(/public key/) });
    expect(hb.binding()).toBeNull();
  });

  it('refuses a blocked peer, asking the policy with its verified IDs, before asking whether it is a stranger', async () => {
    const asked: string[][] = [];
    const [la, lb] = linkPair(a.nodeId, b.nodeId);
    const hb = handshake(lb, b, { isBlocked: (nodeId, userId) => (asked.push([nodeId, userId]), true), isStranger: () => true });
    expect(await hb.step(wire(handshake(la, a).hello()))).toEqual({ kind: 'refuse', why: 'blocked' });
    expect(asked).toEqual([[a.nodeId, a.userId]]);
  });

  it('turns a stranger away with its verified IDs kept and no auth', async () => {
    const [la, lb] = linkPair(a.nodeId, b.nodeId);
    const hb = handshake(lb, b, { isStranger: (nodeId, userId) => nodeId === a.nodeId && userId === a.userId });
    expect(await hb.step(wire(handshake(la, a).hello()))).toEqual({
      kind: 'stranger',
      peer: expect.objectContaining({ nodeId: a.nodeId, userId: a.userId }),
      why: STRANGER_REFUSED,
    });
  });

  it('refuses a hello, and an auth, on a connection that states no DTLS fingerprints', async () => {
    const { ha, hb, lb } = connection();
    const other = lb.other;
    lb.other = null;
    expect(await hb.step(wire(ha.hello()))).toMatchObject({ kind: 'refuse', why: expect.stringMatching(/no DTLS fingerprints/) });
    lb.other = other;
    const { authOfA } = await hellosExchanged(ha, hb);
    lb.other = null;
    expect(await hb.step(wire(authOfA))).toMatchObject({ kind: 'refuse', why: expect.stringMatching(/no DTLS fingerprints/) });
    expect(hb.binding()).toBeNull();
  });
});

describe('Handshake: order', () => {
  it('refuses an auth before the peer’s hello', async () => {
    const { ha, hb } = connection();
    const authOfA = authOf(await ha.step(wire(hb.hello())));
    expect(await hb.step(wire(authOfA))).toEqual({ kind: 'refuse', why: '"auth" before the handshake completed' });
  });

  it('refuses a second hello once one was taken: the peer cannot be swapped mid-handshake', async () => {
    const { ha, hb } = connection();
    await hb.step(wire(ha.hello()));
    const binding = hb.binding();
    expect(await hb.step(wire(ha.hello()))).toEqual({ kind: 'refuse', why: '"hello" before the handshake completed' });
    expect(hb.binding()).toBe(binding);
  });

  it('refuses any other message, or one of a type it does not know, before the handshake is done', async () => {
    const { ha, hb } = connection();
    expect(await hb.step(wire({ t: 'ping', seq: 1, ts: 1 }))).toEqual({ kind: 'refuse', why: '"ping" before the handshake completed' });
    await hb.step(wire(ha.hello()));
    expect(await hb.step(wire({ t: 'pair', step: 'join' }))).toEqual({ kind: 'refuse', why: '"pair" before the handshake completed' });
    expect(await hb.step(wire({ t: 'future-kind' }))).toEqual({ kind: 'refuse', why: 'unknown message before the handshake completed' });
  });

  it('hands on a bye with its reason, before the peer’s hello and after it', async () => {
    const { ha, hb } = connection();
    expect(await hb.step(wire({ t: 'bye', reason: 'paused' }))).toEqual({ kind: 'bye', reason: 'paused' });
    await hb.step(wire(ha.hello()));
    expect(await hb.step(wire({ t: 'bye', reason: 'blocked' }))).toEqual({ kind: 'bye', reason: 'blocked' });
  });
});
