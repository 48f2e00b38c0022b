/** A connection as the views show it: what a PeerSession reports of itself (core/session/peer-session.ts). */
import type { ConnectionDirection, Route, SignalPath } from './link';

export type ConnectionState = 'connecting' | 'handshaking' | 'ready' | 'closed';
/** 0 = unusable … 4 = excellent; see core/session/strength.ts for how it is scored. */
export type Strength = 0 | 1 | 2 | 3 | 4;

export interface PeerSnapshot {
  nodeId: string;
  /** Known once the peer's hello verified. */
  userId: string | null;
  direction: ConnectionDirection;
  path: SignalPath;
  state: ConnectionState;
  strength: Strength;
  /** Median heartbeat round trip over the recent window, ms; null before the first pong. */
  rttMs: number | null;
  /** Share (0–1) of the last 30 pings not answered within 5 s. */
  loss: number;
  bytesIn: number;
  bytesOut: number;
  /** Bytes per second over the last stats interval. */
  rateIn: number;
  rateOut: number;
  openedAt: number;
  /** When the last hello/auth exchange verified (ms since epoch). */
  lastHandshakeAt: number | null;
  lastError: string | null;
  /** Its peer score (0 is clean; see core/node/peer-scores.ts) and why it last lost points. */
  score: number;
  lastPenalty: string | null;
  /** `relay` when the connection goes through a TURN server; null until its first stats sample. */
  route: Route | null;
  /** On the trust list by node or user ID, or one of this user's own browsers (core/node/trust-policy.ts). */
  trusted: boolean;
}
