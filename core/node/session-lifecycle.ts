/**
 * A session from its link to its end: made for a link the node takes, put in the session table (or
 * beside the peer's ready session, which it replaces once ready), closed when the block or trust list
 * refuses it or the node goes offline, and at its end the redial rules, the dial budget, the peer's
 * score and the list of recently closed connections told why.
 */
import type { Clock } from '../lib/clock';
import type { EventLog } from '../lib/event-log';
import { errorText } from '../lib/error-text';
import type { Identity, IdentityVerifier } from '../identity/identity';
import type { BeatPacer } from '../session/beat-pacer';
import { describeClose, type CloseReason } from '../session/close-reason';
import type { Link } from '../session/link';
import { PeerSession } from '../session/peer-session';
import { STRANGER_REFUSED } from '../session/session-policy';
import type { Pair, RoutedMessage } from '../session/wire';
import type { AccessLists } from './access-lists';
import type { DialBudget } from './dial-budget';
import { SCORE_PENALTIES, type PeerScores } from './peer-scores';
import type { RedialPolicy } from './redial-policy';
import type { SessionTable } from './session-table';

interface SessionLifecycleDeps {
  identity: Identity;
  verifier: IdentityVerifier;
  /** `meshdeck/<version>`, sent in hello. */
  app: string;
  clock: Clock;
  beats: BeatPacer;
  sessions: SessionTable;
  /** New sessions of peers that have a ready one, in their handshake: each replaces the old once ready. */
  replacements: Map<string, PeerSession>;
  access: AccessLists;
  redial: RedialPolicy;
  dialBudget: DialBudget;
  scores: PeerScores;
  log: EventLog;
  /** A route message from a ready peer (core/routing). */
  route(message: RoutedMessage, from: string): Promise<void>;
  ready(session: PeerSession): void;
  closed(close: { nodeId: string; reason: CloseReason; error: string | null }): void;
  pair(session: PeerSession, message: Pair): void;
  /** The snapshot changed. */
  changed(): void;
  /** A ready peer came or went: the record's neighbours changed. */
  neighboursChanged(): void;
}

export class SessionLifecycle {
  private refusedHandshakes = 0;

  constructor(private readonly deps: SessionLifecycleDeps) {}

  /** Handshakes this node refused (bye `handshake-refused`), for the snapshot. */
  get handshakesRefused(): number {
    return this.refusedHandshakes;
  }

  /** Makes the session of `link`; `replacing`: it stands beside the peer's ready session and replaces it once ready. */
  adopt(link: Link, { replacing = false } = {}): PeerSession {
    const { deps } = this;
    const session = new PeerSession(
      link,
      deps.identity,
      deps.verifier,
      {
        isBlocked: (nodeId, userId) => deps.access.isBlocked(nodeId, userId),
        isStranger: (nodeId, userId) => deps.access.isStranger(nodeId, userId),
        app: deps.app,
        caps: ['route'],
      },
      deps.clock,
      deps.beats,
    );
    if (replacing) deps.replacements.set(link.remoteId, session);
    else deps.sessions.add(session);
    session.events.on('session:ready', () => this.onReady(session));
    session.events.on('session:close', ({ reason, error }) => this.onClose(session, reason, error));
    session.events.on('session:fault', ({ error }) => deps.log.add('error', 'session:fault', `a frame was not handled: ${errorText(error)}`, session.remoteId));
    session.events.on('session:pair', ({ message }) => deps.pair(session, message));
    session.events.on('session:route', ({ message }) => {
      deps.route(message, session.remoteId).catch((error: unknown) => deps.log.add('warn', 'mesh:route', `route message not handled: ${errorText(error)}`, session.remoteId));
    });
    deps.changed();
    return session;
  }

  /**
   * Closes, with bye `blocked`, each connection the block list or trusted-only mode refuses now. A
   * connection still in its handshake is judged on its hello, once its user ID is known.
   */
  closeRefused(): void {
    const { access, sessions } = this.deps;
    for (const session of sessions.all()) {
      const userId = session.peer?.userId ?? null;
      if (access.isBlocked(session.remoteId, userId)) session.close('blocked');
      else if (session.peer && access.isStranger(session.remoteId, userId)) session.close('blocked', STRANGER_REFUSED);
    }
  }

  /** Closes every session, the replacements in their handshake too, and forgets them all (the node goes offline). */
  closeAll(reason: CloseReason): void {
    const { sessions, replacements } = this.deps;
    for (const session of [...sessions.all(), ...replacements.values()]) session.close(reason);
    sessions.clear();
    replacements.clear();
  }

  private onReady(session: PeerSession): void {
    const { deps } = this;
    if (deps.replacements.get(session.remoteId) === session) {
      deps.replacements.delete(session.remoteId);
      const old = deps.sessions.get(session.remoteId);
      deps.sessions.add(session);
      old?.close('duplicate');
    }
    deps.redial.clear(session.remoteId);
    deps.dialBudget.met(session.remoteId, { ourDial: isOurDial(session) });
    deps.log.add('info', 'peer:ready', `${session.link.direction} connection ready (user ${session.peer?.userId})`, session.remoteId);
    deps.ready(session);
    deps.changed();
    deps.neighboursChanged();
  }

  private onClose(session: PeerSession, reason: CloseReason, error: string | null): void {
    const { deps } = this;
    if (deps.replacements.get(session.remoteId) === session) {
      // A replacement that never became ready: the ready session it meant to replace goes on.
      deps.replacements.delete(session.remoteId);
      deps.log.add('debug', 'peer:duplicate', `the second connection from ${session.remoteId} ended before it was ready: ${describeClose(reason)}`, session.remoteId);
      return;
    }
    const wasHeld = deps.sessions.get(session.remoteId) === session;
    deps.sessions.remove(session);
    // The session a replacement was to supersede is gone: the replacement stands for the peer now. Left
    // aside, a later dial from the peer found no session, was adopted beside it, and was closed as a
    // duplicate when the replacement became ready, before its offer was answered (the leak test's
    // unanswered offers, seen under load).
    const pending = deps.replacements.get(session.remoteId);
    if (wasHeld && pending) {
      deps.replacements.delete(session.remoteId);
      deps.sessions.add(pending);
    }
    if (reason === 'handshake-refused') this.refusedHandshakes++;
    // Only a handshake proves who the peer is: before it, the ID is the signaling path's claim, and a
    // stranger misbehaving in a node's name must not cost that node its score (issue 23).
    const everReady = session.lastHandshakeAt !== null;
    // Closed for its own misconduct: the score remembers it across reconnects.
    if (everReady && (reason === 'limit' || reason === 'protocol-error') && !error?.startsWith('peer score')) {
      deps.scores.penalize(session.remoteId, SCORE_PENALTIES.closedForMisconduct, error ?? describeClose(reason));
    }
    const ourDial = isOurDial(session);
    deps.redial.closed(session.remoteId, reason, everReady, { ourDial, unanswered: wasUnanswered(session, reason) });
    // A dial of ours that never opened spaces out the sweep's dials (dial-budget.ts); not one this node
    // gave up itself (superseded by a newly found node), which says nothing of the room.
    if (ourDial && !everReady && !session.wasOpened && !['shutdown', 'duplicate', 'user-disconnect', 'superseded'].includes(reason)) {
      deps.dialBudget.unanswered(session.remoteId);
    }
    if (reason !== 'duplicate') this.rememberClosed(session, reason, error);
    deps.closed({ nodeId: session.remoteId, reason, error });
    deps.changed();
    if (everReady) deps.neighboursChanged();
  }

  private rememberClosed(session: PeerSession, reason: CloseReason, error: string | null): void {
    const words = describeClose(reason);
    const refused = reason === 'handshake-refused' || reason === 'protocol-error';
    const level = refused || reason === 'dead' || reason === 'handshake-timeout' ? 'warn' : 'info';
    this.deps.log.add(level, refused ? 'handshake:refused' : 'peer:close', error ? `${words}: ${error}` : words, session.remoteId);
    this.deps.sessions.rememberClosed({
      nodeId: session.remoteId,
      userId: session.peer?.userId ?? null,
      direction: session.link.direction,
      closedAt: this.deps.clock.now(),
      reason: words,
      lastError: error ?? session.lastError,
    });
  }
}

/** A dial this node made to an ID it chose: a tracker's link is outbound too, but answered by whoever the swarm sent. */
function isOurDial(session: PeerSession): boolean {
  return session.link.direction === 'outbound' && session.link.path !== 'tracker';
}

/**
 * Whether `session` was a PeerJS dial of ours to a target from a signed record that nobody answered
 * (its transport never opened): then the target is dialled again only on a newer record, and the
 * next dial within 60 s goes through GUN. Not a GUN dial (a signal through busy relays can be late
 * for an honest node: it retried 15 s later instead of 1 s, seen in the fallback e2e), not a
 * tracker's link (its ID is a swarm member's claim), not one this node gave up itself (`superseded`).
 */
function wasUnanswered(session: PeerSession, reason: CloseReason): boolean {
  return session.link.direction === 'outbound' && !session.wasOpened && reason !== 'superseded' && session.link.path === 'peerjs';
}
