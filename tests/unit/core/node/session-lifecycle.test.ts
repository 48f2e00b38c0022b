/**
 * A session's life alone, on the fake clock: nodes' lifecycles joined by in-memory links, with real
 * handshakes, and what each end is told when a session is refused, ends or the node goes offline.
 */
import { describe, expect, it } from 'vitest';
import { SessionLifecycle } from '../../../../core/node/session-lifecycle';
import { AccessLists } from '../../../../core/node/access-lists';
import { DialBudget } from '../../../../core/node/dial-budget';
import { PeerScores, SCORE_DISCONNECT_AT, SCORE_PENALTIES } from '../../../../core/node/peer-scores';
import { LIMIT_COOLDOWN_MS, RedialPolicy } from '../../../../core/node/redial-policy';
import { SessionTable } from '../../../../core/node/session-table';
import { IdentityVerifier, type Identity } from '../../../../core/identity/identity';
import { EventLog } from '../../../../core/lib/event-log';
import { BeatPacer } from '../../../../core/session/beat-pacer';
import { HANDSHAKE_TIMEOUT_MS, type PeerSession } from '../../../../core/session/peer-session';
import { STRANGER_REFUSED } from '../../../../core/session/session-policy';
import { linkPair } from '../../../../server/sim/memory-network';
import { FakeClock, eventually, settle } from '../../../support/fake-clock';
import { makeIdentity } from '../../../support/identities';

/** One node's side: its lifecycle over its own tables and lists, and what it was told. */
function side(identity: Identity, clock: FakeClock) {
  const sessions = new SessionTable();
  const replacements = new Map<string, PeerSession>();
  const mode = { trustedOnly: false };
  const log = new EventLog(clock);
  const access = new AccessLists({ selfUserId: identity.userId, trustedOnly: () => mode.trustedOnly, log });
  const closes: { nodeId: string; reason: string; error: string | null }[] = [];
  const ready: string[] = [];
  /** Each time the ready neighbours changed (the record lists them). */
  const neighbourChanges = { count: 0 };
  const redial = new RedialPolicy(clock, () => 0.5);
  const scores = new PeerScores(() => clock.monotonic());
  const lifecycle = new SessionLifecycle({
    identity,
    verifier: new IdentityVerifier(),
    app: 'test',
    clock,
    beats: new BeatPacer(clock),
    sessions,
    replacements,
    access,
    redial,
    dialBudget: new DialBudget(clock),
    scores,
    log,
    route: async () => undefined,
    ready: (session) => void ready.push(session.remoteId),
    closed: (close) => void closes.push(close),
    pair: () => undefined,
    changed: () => undefined,
    neighboursChanged: () => void neighbourChanges.count++,
  });
  return { identity, sessions, replacements, mode, access, closes, ready, neighbourChanges, redial, scores, lifecycle };
}

type Side = ReturnType<typeof side>;

async function pair() {
  const clock = new FakeClock();
  const a = side((await makeIdentity()).identity, clock);
  const b = side((await makeIdentity()).identity, clock);
  const c = side((await makeIdentity()).identity, clock);
  /** Connects a to b (a dials), both ends adopted; resolves once both are ready. */
  const connect = async (from = a, to = b) => {
    const [out, into] = linkPair(from.identity.nodeId, to.identity.nodeId);
    const dialled = from.lifecycle.adopt(out);
    const answered = to.lifecycle.adopt(into);
    out.open();
    into.open();
    await eventually(() => dialled.isReady && answered.isReady, 'both ends ready');
    return { dialled, answered };
  };
  /** Opens a link from `from` to `to`, both ends adopted; the dialler's session. */
  const dial = (from: Side, to: Side) => {
    const [out, into] = linkPair(from.identity.nodeId, to.identity.nodeId);
    const dialled = from.lifecycle.adopt(out);
    to.lifecycle.adopt(into);
    out.open();
    into.open();
    return dialled;
  };
  return { clock, a, b, c, connect, dial };
}

describe('SessionLifecycle', () => {
  it('puts a session in the table and tells the node once it is ready; the ready neighbours change as it comes and goes', async () => {
    const { clock, a, b, connect } = await pair();
    const { dialled } = await connect();
    expect(a.sessions.get(b.identity.nodeId)).toBe(dialled);
    expect(a.ready).toEqual([b.identity.nodeId]);
    expect(b.ready).toEqual([a.identity.nodeId]);
    expect(a.neighbourChanges.count).toBe(1);
    dialled.close('user-disconnect');
    expect(a.neighbourChanges.count).toBe(2);
    expect(a.sessions.recentlyClosed(clock.now())).toMatchObject([{ nodeId: b.identity.nodeId, reason: 'disconnected by you' }]);
  });

  it('closes a connection the block list now refuses with bye blocked, by node or by user ID', async () => {
    const { a, b, connect } = await pair();
    await connect();
    a.access.setBlocked([b.identity.userId]);
    a.lifecycle.closeRefused();
    await eventually(() => b.closes.length === 1, 'b told');
    expect(a.closes.map((c) => c.reason)).toEqual(['blocked']);
    expect(b.closes.map((c) => c.reason)).toEqual(['remote:blocked']);
    expect(a.sessions.size).toBe(0);
  });

  it('in trusted-only mode closes a stranger’s connection in words, and keeps a trusted one', async () => {
    const { a, b, connect } = await pair();
    await connect();
    a.mode.trustedOnly = true;
    a.access.setTrusted([b.identity.nodeId]);
    a.lifecycle.closeRefused();
    expect(a.closes).toEqual([]);
    a.access.setTrusted([]);
    a.lifecycle.closeRefused();
    expect(a.closes).toEqual([{ nodeId: b.identity.nodeId, reason: 'blocked', error: STRANGER_REFUSED }]);
  });

  it('closes nothing the lists allow', async () => {
    const { a, connect } = await pair();
    await connect();
    a.lifecycle.closeRefused();
    expect(a.closes).toEqual([]);
    expect(a.sessions.size).toBe(1);
  });

  it('going offline closes every session, a replacement in its handshake too, and forgets them', async () => {
    const { a, b, connect } = await pair();
    await connect(b, a);
    // b dials again while its first connection is ready: a holds the second beside it, unanswered.
    const [, atA] = linkPair(b.identity.nodeId, a.identity.nodeId);
    const replacement = a.lifecycle.adopt(atA, { replacing: true });
    expect(a.replacements.get(b.identity.nodeId)).toBe(replacement);
    expect(a.sessions.size).toBe(1);
    a.lifecycle.closeAll('shutdown');
    await settle();
    expect([a.sessions.size, a.replacements.size]).toEqual([0, 0]);
    expect(replacement.state).toBe('closed');
    await eventually(() => b.closes.length === 1, 'b told');
    expect(b.closes.map((c) => c.reason)).toEqual(['remote:shutdown']);
  });

  it('keeps a ready session when a second connection in the same name fails its handshake', async () => {
    const { clock, a, b, connect } = await pair();
    const { dialled } = await connect();
    // Someone else dials a in b's name and never completes the handshake: it stands beside b's session.
    const [, atA] = linkPair(b.identity.nodeId, a.identity.nodeId);
    const impostor = a.lifecycle.adopt(atA, { replacing: true });
    atA.open();
    await clock.advance(HANDSHAKE_TIMEOUT_MS + 1000);
    expect(impostor.state).toBe('closed');
    // The very same session, not closed and redialled; nothing closed shows in the list.
    expect(a.sessions.get(b.identity.nodeId)).toBe(dialled);
    expect(dialled.isReady).toBe(true);
    expect([a.replacements.size, a.closes, a.sessions.recentlyClosed(clock.now())]).toEqual([0, [], []]);
  });

  it('a stranger misbehaving in another node’s name before the handshake costs that node no score and no hold (issue 23)', async () => {
    const { clock, a, b } = await pair();
    const nodeId = b.identity.nodeId;
    // A swarm member opens a link to a as b (a tracker passes on any `from`) and sends what is not text...
    const [, first] = linkPair(nodeId, a.identity.nodeId);
    a.lifecycle.adopt(first);
    first.open();
    first.events.emit('frame:refused', 'a binary frame');
    await eventually(() => a.closes.length === 1, 'the first link closed');
    // ...then opens another and says bye limit first.
    const [stranger, atA] = linkPair(nodeId, a.identity.nodeId);
    a.lifecycle.adopt(atA);
    atA.open();
    stranger.open();
    stranger.send(JSON.stringify({ t: 'bye', reason: 'limit' }));
    await eventually(() => a.closes.length === 2, 'the second link closed');
    expect(a.closes.map((c) => c.reason)).toEqual(['protocol-error', 'remote:limit']);
    // b itself may be dialled at once (not 5 minutes later), with a clean score.
    expect(a.redial.mayDial(nodeId, clock.now())).toBe(true);
    expect(a.scores.scoreOf(nodeId)).toEqual({ score: 0, lastPenalty: null });
  });

  it('a ready peer closed for its misconduct loses score, and after bye limit is not redialled during the cool-down', async () => {
    const { clock, a, b, c, connect } = await pair();
    const first = await connect();
    first.dialled.close('protocol-error');
    expect(a.scores.scoreOf(b.identity.nodeId).score).toBe(-SCORE_PENALTIES.closedForMisconduct);
    // Closed at the routing's penalty threshold: the score already fell there, and is not lowered twice.
    const second = await connect(a, c);
    second.dialled.close('limit', `peer score ${SCORE_DISCONNECT_AT}: bad route signature`);
    expect(a.scores.scoreOf(c.identity.nodeId).score).toBe(0);
    const later = clock.now() + 1;
    expect(a.redial.mayDial(c.identity.nodeId, later)).toBe(false);
    await clock.advance(LIMIT_COOLDOWN_MS);
    expect(a.redial.mayDial(c.identity.nodeId, later)).toBe(true);
  });

  it('a dial of ours nobody answered is dialled again only once the node signs a newer record (it costs its signer)', async () => {
    const { clock, a, b } = await pair();
    const signedAt = clock.now();
    // A PeerJS dial whose transport never opens: its handshake times out.
    const [out] = linkPair(a.identity.nodeId, b.identity.nodeId);
    a.lifecycle.adopt(out);
    await clock.advance(HANDSHAKE_TIMEOUT_MS);
    expect(a.closes.map((c) => c.reason)).toEqual(['handshake-timeout']);
    await clock.advance(60_000);
    expect(a.redial.mayDial(b.identity.nodeId, signedAt)).toBe(false);
    expect(a.redial.mayDial(b.identity.nodeId, clock.now())).toBe(true);
  });

  it('when the session a replacement was to supersede closes first, the replacement stands for the peer', async () => {
    const { a, b, connect } = await pair();
    const { dialled } = await connect(b, a);
    const first = a.sessions.get(b.identity.nodeId)!;
    // b dials again while its first connection is ready; its handshake has not arrived yet.
    const [, atA] = linkPair(b.identity.nodeId, a.identity.nodeId);
    const replacement = a.lifecycle.adopt(atA, { replacing: true });
    dialled.close('shutdown');
    await eventually(() => first.state === 'closed', 'the first session closed at a');
    expect(a.sessions.get(b.identity.nodeId)).toBe(replacement);
    expect(a.replacements.size).toBe(0);
    // What a later dial from b meets now is the replacement, not an empty place beside which it would be adopted.
    replacement.close('duplicate');
    expect(a.sessions.size).toBe(0);
  });

  it("in trusted-only mode answers a stranger's hello with bye blocked and keeps whom it refused; takes a trusted node or user", async () => {
    const { clock, a, b, c, dial } = await pair();
    a.mode.trustedOnly = true;
    a.access.setTrusted([b.identity.nodeId]);
    dial(c, a);
    await eventually(() => c.closes.length === 1, 'c refused');
    expect(c.closes.map((close) => close.reason)).toEqual(['remote:blocked']);
    // a keeps whom it refused, with the user ID the hello proved: the user can see whom to trust.
    expect(a.sessions.recentlyClosed(clock.now())[0]).toMatchObject({ nodeId: c.identity.nodeId, userId: c.identity.userId, reason: 'blocked by you', lastError: STRANGER_REFUSED });
    const trusted = dial(b, a);
    await eventually(() => trusted.isReady, 'the trusted node ready');
    a.access.setTrusted([b.identity.nodeId, c.identity.userId]);
    const user = dial(c, a);
    await eventually(() => user.isReady, 'the node of a trusted user ready');
    expect(a.sessions.size).toBe(2);
  });
});
