/**
 * Which inbound connections the node takes: none while incoming connections are paused, and one per
 * peer when both sides dialled at once.
 */
import type { TimerGroup } from '../lib/clock';
import type { Link } from '../session/link';
import { HANDSHAKE_TIMEOUT_MS, type PeerSession } from '../session/peer-session';

export type InboundVerdict =
  /** Turn it away with a bye that says why. */
  | { kind: 'refuse'; reason: 'paused' }
  /** Both sides dialled at once and ours is the one both ends keep: close the new link quietly. */
  | { kind: 'keep-existing' }
  /** Take it; `replaces` is the session it supersedes, closed as a duplicate. */
  | { kind: 'adopt'; replaces: PeerSession | null };

export interface InboundContext {
  selfId: string;
  pauseIncoming: boolean;
  /** The session already held for the link's peer, if any. */
  existing: PeerSession | undefined;
}

export function judgeInbound(link: Link, { selfId, pauseIncoming, existing }: InboundContext): InboundVerdict {
  if (pauseIncoming) return { kind: 'refuse', reason: 'paused' };
  if (!existing) return { kind: 'adopt', replaces: null };
  // Both sides dialled at once: keep the connection dialled by the smaller node ID, on both ends.
  const keepOurs = !existing.isReady && existing.link.direction === 'outbound' && selfId < link.remoteId;
  // Otherwise the new link wins: a ready session being re-dialled means the peer restarted.
  return keepOurs ? { kind: 'keep-existing' } : { kind: 'adopt', replaces: existing };
}

/**
 * Turns a new inbound connection away with a bye, sent in answer to the dialler's hello (the dialled
 * side never speaks first, see PeerSession.onOpen); closed after the handshake limit if the dialler
 * says nothing. The timer is the node's (`timers`), so it goes when the node goes offline.
 */
export function refuseLink(link: Link, reason: 'paused', timers: TimerGroup): void {
  const timer = timers.timeout(() => link.close(), HANDSHAKE_TIMEOUT_MS);
  link.events.on('close', () => timers.cancel(timer));
  link.events.on('frame', () => {
    timers.cancel(timer);
    try {
      link.send(JSON.stringify({ t: 'bye', reason }));
    } finally {
      link.close();
    }
  });
}
