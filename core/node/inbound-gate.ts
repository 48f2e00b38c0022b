/**
 * Which inbound connections the node takes (docs/protocol.md, Limits): at most
 * MAX_UNAUTHENTICATED_INBOUND not authenticated at once, those turned away while incoming connections
 * are paused included, and no more sessions than maxPeers plus INBOUND_MARGIN, so silent diallers cannot
 * pile up; none while paused; one per peer when both sides dialled at once; and a ready session is
 * replaced only by a new one that became ready.
 */
import type { TimerGroup } from '../lib/clock';
import type { Link } from '../session/link';
import { HANDSHAKE_TIMEOUT_MS, type PeerSession } from '../session/peer-session';

/** docs/protocol.md, Limits: unauthenticated inbound connections held at once. */
export const MAX_UNAUTHENTICATED_INBOUND = 16;
/** Sessions beyond maxPeers kept for inbound peers, so a full node can still be reached. */
export const INBOUND_MARGIN = 8;

type InboundVerdict =
  /** Turn it away with a bye that says why. */
  | { kind: 'refuse'; reason: 'paused' }
  /** Over a cap: close it at once, without a word. */
  | { kind: 'drop'; why: string }
  /** The peer has a ready session: the new link handshakes beside it and replaces it once ready. */
  | { kind: 'replace-when-ready'; existing: PeerSession }
  /** Both sides dialled at once and ours is the one both ends keep: close the new link quietly. */
  | { kind: 'keep-existing' }
  /** Take it; `replaces` is the session it supersedes, closed as a duplicate. */
  | { kind: 'adopt'; replaces: PeerSession | null };

export interface InboundContext {
  selfId: string;
  pauseIncoming: boolean;
  /** The session already held for the link's peer, if any. */
  existing: PeerSession | undefined;
  /** Inbound links not authenticated: sessions (and replacements) not ready yet, and links being refused. */
  unauthenticatedInbound: number;
  /** Sessions held, and the most this node may hold. */
  sessions: number;
  maxSessions: number;
}

export function judgeInbound(link: Link, context: InboundContext): InboundVerdict {
  const { selfId, pauseIncoming, existing } = context;
  // The cap first: a refused link holds an RTCPeerConnection until the dialler's hello (issue 23:
  // checked after the pause, pausing lifted the cap).
  if (context.unauthenticatedInbound >= MAX_UNAUTHENTICATED_INBOUND) {
    return { kind: 'drop', why: `${MAX_UNAUTHENTICATED_INBOUND} inbound connections are already in their handshake` };
  }
  if (pauseIncoming) return { kind: 'refuse', reason: 'paused' };
  if (!existing && context.sessions >= context.maxSessions) return { kind: 'drop', why: `${context.maxSessions} sessions are held already` };
  if (!existing) return { kind: 'adopt', replaces: null };
  // A ready session stays until the new one proves itself: a stranger dialling in its name gets nowhere.
  if (existing.isReady) return { kind: 'replace-when-ready', existing };
  // Both sides dialled at once: keep the connection dialled by the smaller node ID, on both ends.
  const keepOurs = existing.link.direction === 'outbound' && selfId < link.remoteId;
  return keepOurs ? { kind: 'keep-existing' } : { kind: 'adopt', replaces: existing };
}

/**
 * Turns a new inbound connection away with a bye, sent in answer to the dialler's first frame (the
 * dialled side never speaks first, see PeerSession.onOpen), and closes it at once: link.close() lets
 * the bye flush first. Closed without a word after the handshake limit if the dialler says nothing.
 * Until it closes it counts against MAX_UNAUTHENTICATED_INBOUND (the caller's count). The timer is the
 * node's (`timers`), so it goes when the node goes offline.
 */
export function refuseLink(link: Link, reason: 'paused', timers: TimerGroup): void {
  const timer = timers.timeout(() => link.close(), HANDSHAKE_TIMEOUT_MS);
  const unsubscribe = [
    link.events.on('close', () => timers.cancel(timer)),
    // One bye, whatever else the dialler sends while the link flushes it.
    link.events.on('frame', () => {
      for (const off of unsubscribe) off();
      timers.cancel(timer);
      try {
        link.send(JSON.stringify({ t: 'bye', reason }));
      } finally {
        link.close();
      }
    }),
  ];
}
