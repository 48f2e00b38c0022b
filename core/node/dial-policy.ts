/**
 * Whether the auto-dialler dials a discovered node now: only while enabled and outgoing connections
 * are not paused; only a node some path reaches (PeerJS, when both are on the same open server, or an
 * open fallback such as the GUN relays); never itself, a node already connected, or a stale or blocked
 * record, nor a stranger in trusted-only mode (trust-policy.ts); within maxPeers; and as the redial
 * rules allow.
 */
import { isStale, type VerifiedRecord } from '../discovery/rendezvous-record';
import type { Settings } from '../settings/settings';
import type { SignalingState } from '../signaling/signaling';
import type { RedialPolicy } from './redial-policy';

export interface DialContext {
  settings: Settings | null;
  signalingState: SignalingState;
  /** Whether a signaling path (PeerJS, or a fallback) reaches this node now; PeerJS alone when absent. */
  canReach?: (known: VerifiedRecord) => boolean;
  selfId: string;
  now: number;
  sessionCount: number;
  hasSession(nodeId: string): boolean;
  isBlocked(nodeId: string, userId: string | null): boolean;
  /** Whether trusted-only mode turns the node away (isStranger of trust-policy.ts); by its record's user ID. */
  isStranger(nodeId: string, userId: string | null): boolean;
  redial: RedialPolicy;
}

export function mayAutoDial(nodeId: string, known: VerifiedRecord | undefined, context: DialContext): boolean {
  const { settings } = context;
  if (!settings?.enabled || settings.pauseOutgoing) return false;
  if (nodeId === context.selfId || context.hasSession(nodeId) || context.sessionCount >= settings.maxPeers) return false;
  if (!known || isStale(known.record, context.now) || context.isBlocked(nodeId, known.userId) || context.isStranger(nodeId, known.userId)) return false;
  // PeerJS servers do not federate: only a node registered on our endpoint can be dialled there, the
  // others only through a fallback path.
  const viaPeerJs = context.signalingState === 'open' && known.signal.includes(settings.signalingUrl);
  if (!viaPeerJs && !(context.canReach?.(known) ?? false)) return false;
  return context.redial.mayDial(nodeId, known.record.ts);
}
