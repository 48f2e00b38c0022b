/**
 * The node's own dials: one the user asks for, or one of the auto-dialler's (auto-dialler.ts), refused
 * in words while offline or outgoing connections are paused, to a blocked node, or to a stranger in
 * trusted-only mode; made through the signaling path the node's record says reaches it. It counts them
 * (`Refresh peers` reports the dials it started) and gives the dial policy what it reads (dial-policy.ts).
 */
import type { Clock } from '../lib/clock';
import type { RecordTable } from '../discovery/record-table';
import type { Settings } from '../settings/settings';
import type { Link } from '../session/link';
import type { PeerSession } from '../session/peer-session';
import type { SignalingState } from '../signaling/signaling';
import type { SignalPaths } from '../signaling/signal-paths';
import type { AccessLists } from './access-lists';
import type { DialContext } from './dial-policy';
import { BlockedPeerError, NodeOfflineError, PausedError } from './node-errors';
import type { RedialPolicy } from './redial-policy';
import type { SessionTable } from './session-table';
import { NotTrustedError } from './trust-policy';

interface OutboundDialsDeps {
  selfId: string;
  clock: Clock;
  settings(): Settings | null;
  /** The online run's signaling paths; null while offline. */
  signaling(): Pick<SignalPaths, 'dial' | 'canReach'> | null;
  /** The signaling state the views see (`stopped` while offline). */
  signalingState(): SignalingState;
  sessions: Pick<SessionTable, 'get' | 'has' | 'size'>;
  records: Pick<RecordTable, 'get'>;
  redial: RedialPolicy;
  access: Pick<AccessLists, 'isBlocked' | 'isStranger'>;
  /** Makes the session of a link (session-lifecycle.ts). */
  adopt(link: Link): PeerSession;
}

export class OutboundDials {
  private made = 0;

  constructor(private readonly deps: OutboundDialsDeps) {}

  /** Dials started since the node was made, a tracker's link taken as one of ours included. */
  get count(): number {
    return this.made;
  }

  /** A link a tracker set up was taken as a dial of this node's (session-admission.ts). */
  counted(): void {
    this.made++;
  }

  /**
   * Opens a connection to `nodeId` now, or returns the one there is. `userAsked` lifts the 10-minute
   * hold after the user disconnected it (redial-policy.ts). Throws NodeOfflineError, PausedError,
   * BlockedPeerError or NotTrustedError.
   */
  dial(nodeId: string, { userAsked = false } = {}): PeerSession {
    const { deps } = this;
    const signaling = deps.signaling();
    if (!signaling) throw new NodeOfflineError();
    const existing = deps.sessions.get(nodeId);
    if (existing) return existing;
    if (userAsked) deps.redial.clear(nodeId);
    if (deps.settings()?.pauseOutgoing) throw new PausedError();
    const known = deps.records.get(nodeId);
    const userId = known?.userId ?? null;
    if (deps.access.isBlocked(nodeId, userId)) throw new BlockedPeerError(nodeId);
    if (deps.access.isStranger(nodeId, userId)) throw new NotTrustedError(nodeId);
    this.made++;
    return deps.adopt(signaling.dial(nodeId, known ? { signal: known.signal } : undefined));
  }

  /** What the dial policy reads, taken once per sweep rather than once per record. */
  context(): DialContext {
    const { deps } = this;
    return {
      settings: deps.settings(),
      signalingState: deps.signalingState(),
      canReach: (known) => deps.signaling()?.canReach({ signal: known.signal }) ?? false,
      selfId: deps.selfId,
      now: deps.clock.now(),
      sessionCount: deps.sessions.size,
      hasSession: (id) => deps.sessions.has(id),
      isBlocked: (id, userId) => deps.access.isBlocked(id, userId),
      isStranger: (id, userId) => deps.access.isStranger(id, userId),
      redial: deps.redial,
    };
  }
}
