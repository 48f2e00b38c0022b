/**
 * A session's life alone, on the fake clock: two nodes' lifecycles joined by in-memory links, with
 * real handshakes, and what each end is told when a session is refused or the node goes offline.
 */
import { describe, expect, it } from 'vitest';
import { SessionLifecycle } from '../../../../core/node/session-lifecycle';
import { AccessLists } from '../../../../core/node/access-lists';
import { DialBudget } from '../../../../core/node/dial-budget';
import { PeerScores } from '../../../../core/node/peer-scores';
import { RedialPolicy } from '../../../../core/node/redial-policy';
import { SessionTable } from '../../../../core/node/session-table';
import { IdentityVerifier, type Identity } from '../../../../core/identity/identity';
import { EventLog } from '../../../../core/lib/event-log';
import { BeatPacer } from '../../../../core/session/beat-pacer';
import { HANDSHAKE_TIMEOUT_MS, type PeerSession } from '../../../../core/session/peer-session';
import { STRANGER_REFUSED } from '../../../../core/session/session-policy';
import { linkPair } from '../../../support/fake-transport';
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

async function pair() {
  const clock = new FakeClock();
  const a = side((await makeIdentity()).identity, clock);
  const b = side((await makeIdentity()).identity, clock);
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
  return { clock, a, b, connect };
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
});
