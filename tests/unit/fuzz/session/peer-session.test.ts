/**
 * Fuzzing the handshake state machine (core/session/peer-session.ts) over the fake links of
 * server/sim/memory-network.ts. The remote side sends random sequences of frames in random order:
 * garbage, message-shaped JSON, hellos (genuine, downgraded, mutated, for another peer ID, with
 * borrowed keys), auths (random, or genuinely signed over a text that is wrong in one part: the nonce,
 * the IDs, the fingerprints, the version), pings, routes, byes, oversized frames, floods, binary
 * frames, a closing transport. The session under test must never throw or leave a rejection
 * unhandled, never become ready, never answer a ping or pass a route on before a genuine handshake,
 * and always end closed with no timer left. A genuine peer following the protocol must make it ready
 * (the positive controls), after which random frames still cannot make it throw.
 */
import { beforeAll, describe, expect } from 'vitest';
import { fc, it } from '@fast-check/vitest';
import { IdentityVerifier, type Identity } from '../../../../core/identity/identity';
import type { CloseReason } from '../../../../core/session/close-reason';
import { HANDSHAKE_TIMEOUT_MS, PeerSession } from '../../../../core/session/peer-session';
import type { SessionPolicy } from '../../../../core/session/session-policy';
import { BYE_REASONS, type RoutedMessage } from '../../../../core/session/wire';
import { randomBytes, toBase64Url } from '../../../../core/lib/encoding';
import { linkPair, type MemoryLink } from '../../../../server/sim/memory-network';
import { FakeClock, settle } from '../../../support/fake-clock';
import { EscapedError, fuzzTally } from '../../../support/fuzz-tally';
import {
  FRAME_LIMIT, hostileString, idLike, jsonText, jsonToken, mutate, mutation, numberToken, objectText, quoted, type Mutation,
} from '../../../support/fuzz-arbitraries';
import { helloOf, signedRoute } from '../../../support/protocol-vectors';
import { makeIdentity } from '../../../support/identities';

const tally = fuzzTally(__filename);
/** One case that takes longer than this is a hang (fast-check fails it instead of waiting on). */
const ASYNC_CASE_MS = 10_000;
const policy: SessionPolicy = { isBlocked: () => false, app: 'meshdeck/fuzz', caps: ['route'] };

/** The auth text of docs/protocol-v2.md §2, written from the spec (not from core), as its signer builds it. */
const authTextV2 = (verifierNonce: string, signer: string, verifier: string, signerLocal: string, signerRemote: string) =>
  `meshdeck/auth/v2\n${verifierNonce}\n${signer}\n${verifier}\n${signerLocal}\n${signerRemote}`;

const randomFp = () => Array.from(randomBytes(32), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');

type AuthVariant = 'random-sig' | 'wrong-nonce' | 'swapped-fingerprints' | 'middle-fingerprints' | 'swapped-ids' | 'v1-text' | 'other-signer' | 'no-sig';
type HelloVariant = 'genuine' | 'v1' | 'wrong-peer' | 'borrowed-keys' | 'mutated';
type Action =
  | { k: 'text'; text: string }
  | { k: 'hello'; variant: HelloVariant; m: Mutation }
  | { k: 'auth'; variant: AuthVariant }
  | { k: 'ping' | 'pong'; seq: number; ts: number }
  | { k: 'route' }
  | { k: 'bye'; reason: string }
  | { k: 'huge' }
  | { k: 'flood'; n: number }
  | { k: 'binary' | 'suspect' | 'pause' | 'close' };

const shapedFrame = fc.oneof(
  objectText({ t: quoted(fc.constantFrom('hello', 'auth', 'ping', 'pong', 'bye', 'route', 'data')), v: numberToken, sig: quoted(hostileString), seq: numberToken, ts: numberToken, reason: quoted(fc.constantFrom(...BYE_REASONS, 'x')) }),
  objectText({ t: fc.constant('"hello"'), v: fc.constantFrom('1', '2'), node: objectText({ id: quoted(idLike), pub: quoted(hostileString) }), user: objectText({ id: quoted(idLike), pub: quoted(hostileString) }), cert: objectText({ at: numberToken, sig: quoted(hostileString) }), nonce: quoted(hostileString) }),
);

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(jsonToken, fc.string({ maxLength: 60 }), shapedFrame).map((text) => ({ k: 'text' as const, text })) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('hello' as const), variant: fc.constantFrom<HelloVariant>('genuine', 'genuine', 'v1', 'wrong-peer', 'borrowed-keys', 'mutated', 'mutated'), m: mutation }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('auth' as const), variant: fc.constantFrom<AuthVariant>('random-sig', 'wrong-nonce', 'swapped-fingerprints', 'middle-fingerprints', 'swapped-ids', 'v1-text', 'other-signer', 'no-sig') }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constantFrom('ping' as const, 'pong' as const), seq: fc.integer({ min: 0, max: 100 }), ts: fc.integer({ min: 0, max: 2 ** 42 }) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'route' as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('bye' as const), reason: fc.constantFrom(...BYE_REASONS, 'nope') }) },
  { weight: 1, arbitrary: fc.constantFrom<Action>({ k: 'huge' }, { k: 'binary' }, { k: 'suspect' }, { k: 'pause' }, { k: 'pause' }, { k: 'close' }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 450 }).map((n) => ({ k: 'flood' as const, n })) },
);

const BEFORE_READY_CLOSES: readonly string[] = ['handshake-refused', 'protocol-error', 'limit', 'handshake-timeout', 'transport-closed', ...BYE_REASONS.map((r) => `remote:${r}`)];

describe('PeerSession handshake under fuzzing', () => {
  let a: Identity;
  let b: Identity;
  let c: Identity;
  let route: RoutedMessage;
  const verifier = new IdentityVerifier();

  beforeAll(async () => {
    [a, b, c] = (await Promise.all([makeIdentity(), makeIdentity(), makeIdentity()])).map((m) => m.identity) as [Identity, Identity, Identity];
    route = (await signedRoute(a, '*', { k: 'data' }, 'AAAAAAAAAAAAAAAA')) as unknown as RoutedMessage;
  });

  /** `b`'s session on the dialled end of a fresh link pair, with everything it does recorded. */
  function dialled(clock: FakeClock) {
    const [la, lb] = linkPair(a.nodeId, b.nodeId);
    const session = new PeerSession(lb, b, verifier, policy, clock);
    const seen = { ready: 0, routes: 0, faults: [] as unknown[], closes: [] as CloseReason[] };
    session.events.on('session:ready', () => seen.ready++);
    session.events.on('session:route', () => seen.routes++);
    session.events.on('session:fault', ({ error }) => seen.faults.push(error));
    session.events.on('session:close', ({ reason }) => seen.closes.push(reason));
    return { la, lb, session, seen };
  }

  /** The nonce `b` sent in its hello, once it sent one. */
  const nonceOf = (lb: MemoryLink): string | null => {
    const hello = lb.sent.map((f) => JSON.parse(f) as { t: string; nonce?: string }).find((m) => m.t === 'hello');
    return hello?.nonce ?? null;
  };

  function hello(variant: HelloVariant, m: Mutation): Record<string, unknown> {
    switch (variant) {
      case 'genuine':
        return helloOf(a);
      case 'v1':
        return helloOf(a, 1);
      case 'wrong-peer':
        return helloOf(c);
      case 'borrowed-keys':
        return { ...helloOf(c), node: { id: a.nodeId, pub: c.nodePub } };
      case 'mutated':
        return mutate(helloOf(a), m);
    }
  }

  async function auth(variant: AuthVariant, la: MemoryLink, lb: MemoryLink): Promise<Record<string, unknown>> {
    const nonce = nonceOf(lb) ?? toBase64Url(randomBytes(16));
    const own = la.fingerprints()?.local ?? randomFp();
    const peer = la.fingerprints()?.remote ?? randomFp();
    switch (variant) {
      case 'random-sig':
        return { t: 'auth', sig: toBase64Url(randomBytes(64)) };
      case 'no-sig':
        return { t: 'auth' };
      case 'wrong-nonce':
        return { t: 'auth', sig: await a.sign(authTextV2(toBase64Url(randomBytes(16)), a.nodeId, b.nodeId, own, peer)) };
      case 'swapped-fingerprints':
        return { t: 'auth', sig: await a.sign(authTextV2(nonce, a.nodeId, b.nodeId, peer, own)) };
      case 'middle-fingerprints':
        // What a party terminating DTLS on both sides makes the signer see.
        return { t: 'auth', sig: await a.sign(authTextV2(nonce, a.nodeId, b.nodeId, randomFp(), randomFp())) };
      case 'swapped-ids':
        return { t: 'auth', sig: await a.sign(authTextV2(nonce, b.nodeId, a.nodeId, own, peer)) };
      case 'v1-text':
        return { t: 'auth', sig: await a.sign(`meshdeck/auth/v1\n${nonce}\n${a.nodeId}\n${b.nodeId}`) };
      case 'other-signer':
        return { t: 'auth', sig: await c.sign(authTextV2(nonce, a.nodeId, b.nodeId, own, peer)) };
    }
  }

  /** Sends what `act` stands for from the remote end `la`; returns the frames it sent. */
  async function perform(act: Action, la: MemoryLink, lb: MemoryLink): Promise<string[]> {
    const send = (frame: string) => {
      if (la.isClosed) return [];
      la.send(frame);
      return [frame];
    };
    switch (act.k) {
      case 'text':
        return send(act.text);
      case 'hello':
        return send(jsonText(hello(act.variant, act.m)));
      case 'auth':
        return send(JSON.stringify(await auth(act.variant, la, lb)));
      case 'ping':
      case 'pong':
        return send(JSON.stringify({ t: act.k, seq: act.seq, ts: act.ts }));
      case 'route':
        return send(JSON.stringify(route));
      case 'bye':
        return send(JSON.stringify({ t: 'bye', reason: act.reason }));
      case 'huge':
        return send(`{"t":"data","pad":"${'€'.repeat(FRAME_LIMIT / 3 + 1)}"}`);
      case 'flood': {
        const sent: string[] = [];
        for (let i = 0; i < act.n; i++) sent.push(...send('{"t":"noop"}'));
        return sent;
      }
      case 'binary':
        lb.events.emit('frame:refused', 'a binary frame');
        return [];
      case 'suspect':
        lb.events.emit('suspect', undefined);
        return [];
      case 'pause':
        await settle(1);
        return [];
      case 'close':
        la.close();
        return [];
    }
  }

  function checkFaults(faults: unknown[]): void {
    if (faults.length) throw new EscapedError('PeerSession (a session:fault)', faults[0]);
  }

  it('a raw peer following docs/protocol-v2.md makes it ready, and its own auth verifies by the spec (positive control)', async () => {
    const clock = new FakeClock();
    const { la, lb, session, seen } = dialled(clock);
    lb.open();
    la.isOpen = true;
    const ourNonce = toBase64Url(randomBytes(16));
    la.send(JSON.stringify({ ...helloOf(a), nonce: ourNonce }));
    await settle();
    const fp = la.fingerprints()!;
    la.send(JSON.stringify({ t: 'auth', sig: await a.sign(authTextV2(nonceOf(lb)!, a.nodeId, b.nodeId, fp.local, fp.remote)) }));
    await settle();
    expect(seen.ready).toBe(1);
    expect(session.isReady).toBe(true);
    // b's auth, checked with the spec's text: signer b, its local fingerprint first.
    const { importPublicKey, verifyText } = await import('../../../../core/identity/identity');
    const { fromBase64Url } = await import('../../../../core/lib/encoding');
    const bAuth = lb.sent.map((f) => JSON.parse(f) as { t: string; sig?: string }).find((m) => m.t === 'auth')!;
    const bKey = await importPublicKey(fromBase64Url(b.nodePub));
    expect(await verifyText(bKey, authTextV2(ourNonce, b.nodeId, a.nodeId, fp.remote, fp.local), bAuth.sig!)).toBe(true);
    session.close('shutdown');
    expect(seen.faults).toEqual([]);

    // One step short of that, the same peer does not: the fuzzed auths are near misses of a real one.
    const near = dialled(clock);
    near.lb.open();
    near.la.isOpen = true;
    near.la.send(JSON.stringify(helloOf(a)));
    await settle();
    const nearFp = near.la.fingerprints()!;
    near.la.send(JSON.stringify({ t: 'auth', sig: await a.sign(authTextV2(nonceOf(near.lb)!, a.nodeId, b.nodeId, nearFp.remote, nearFp.local)) }));
    await settle();
    expect(near.seen.ready).toBe(0);
    expect(near.seen.closes).toEqual(['handshake-refused']);
  });

  /** The property for a sequence of actions from the remote side, before any genuine handshake. */
  async function neverReady(actions: Action[]): Promise<void> {
    const clock = new FakeClock();
    const { la, lb, session, seen } = dialled(clock);
    lb.open();
    la.isOpen = true;
    for (const act of actions) await perform(act, la, lb);
    await settle();
    checkFaults(seen.faults);
    if (seen.ready || session.isReady) expect.fail('became ready without a genuine handshake');
    if (seen.routes) expect.fail('passed a route on before the handshake');
    const sentTypes = lb.sent.map((f) => (JSON.parse(f) as { t: string }).t);
    if (!sentTypes.every((t) => t === 'hello' || t === 'auth' || t === 'bye')) expect.fail(`sent ${sentTypes.join(',')} before the handshake`);
    // An auth goes only to a peer whose hello verified: a's, on a's link.
    if (sentTypes.includes('auth') && session.peer?.nodeId !== a.nodeId) expect.fail('sent auth to a peer it did not verify');
    await clock.advance(HANDSHAKE_TIMEOUT_MS + 1);
    checkFaults(seen.faults);
    expect(session.state).toBe('closed');
    expect(seen.closes).toHaveLength(1);
    if (!BEFORE_READY_CLOSES.includes(seen.closes[0]!)) expect.fail(`closed for ${seen.closes[0]}`);
    expect(session.pendingTimers).toBe(0);
    expect(clock.pending).toBe(0);
  }

  it.prop([fc.array(action, { minLength: 1, maxLength: 12 })], { seed: 0x5eed + 90, numRuns: 1_000 , timeout: ASYNC_CASE_MS })(
    'random frames from the remote side, in random order: never ready, no pong or route before a genuine handshake, closed in the end with no timer left',
    tally.property(neverReady),
    120_000,
  );

  /** After a hello that verifies, what is left to try is the auth: mostly auths, near misses of the real one. */
  const afterHello = fc.array(fc.oneof({ weight: 3, arbitrary: action.filter((x) => x.k === 'auth' || x.k === 'hello' || x.k === 'pause') }, { weight: 1, arbitrary: action }), { minLength: 1, maxLength: 8 });

  it.prop([fc.constantFrom<HelloVariant>('genuine', 'mutated'), mutation, afterHello], { seed: 0x5eed + 92, numRuns: 800 , timeout: ASYNC_CASE_MS })(
    'a genuine (or mutated) hello, then random auths and frames: never ready, closed in the end with no timer left',
    tally.property((variant: HelloVariant, m: Mutation, actions: Action[]) => neverReady([{ k: 'hello', variant, m }, ...actions])),
    120_000,
  );

  it.prop([fc.array(action.filter((x) => x.k !== 'close'), { maxLength: 10 })], { seed: 0x5eed + 91, numRuns: 150 , timeout: ASYNC_CASE_MS })(
    'a genuine peer session makes it ready (positive control); random frames after that never make it throw, and every ping is answered while it lasts',
    tally.property(async (actions: Action[]) => {
      const clock = new FakeClock();
      const { la, lb, session, seen } = dialled(clock);
      const remote = new PeerSession(la, a, verifier, policy, clock);
      la.open();
      lb.open();
      await settle();
      if (seen.ready !== 1 || !remote.isReady) expect.fail('a genuine handshake did not make both ends ready');
      const pings: string[] = [];
      for (const act of actions) {
        const frames = await perform(act, la, lb);
        if (act.k === 'ping' && frames.length) pings.push(`${act.seq}|${act.ts}`);
      }
      await settle();
      checkFaults(seen.faults);
      if (session.isReady) {
        const pongs = new Set(lb.sent.map((f) => JSON.parse(f) as { t: string; seq: number; ts: number }).filter((m) => m.t === 'pong').map((m) => `${m.seq}|${m.ts}`));
        for (const ping of pings) if (!pongs.has(ping)) expect.fail(`ping ${ping} not answered`);
      }
      session.close('shutdown');
      remote.close('shutdown');
      await settle();
      checkFaults(seen.faults);
      expect(session.pendingTimers + remote.pendingTimers).toBe(0);
    }),
    120_000,
  );
});
