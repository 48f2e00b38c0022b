/**
 * Observed state: what the node host reports to the views. Plain JSON so it crosses
 * `runtime` messaging unchanged.
 */

export type SignalingState = 'stopped' | 'connecting' | 'open' | 'disconnected' | 'error';
export type RelayState = 'connecting' | 'open' | 'closed';
export type ConnectionDirection = 'inbound' | 'outbound';
export type ConnectionState = 'connecting' | 'handshaking' | 'ready' | 'closed';
/** 0 = unusable … 4 = excellent; see core/strength.ts for how it is scored. */
export type Strength = 0 | 1 | 2 | 3 | 4;

export interface PeerSnapshot {
  nodeId: string;
  /** Known once the peer's hello verified. */
  userId: string | null;
  direction: ConnectionDirection;
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
}

export interface SignalingSnapshot {
  url: string;
  state: SignalingState;
  /** When `state` was entered. */
  since: number;
  /** Registration attempts since the last time it was open. */
  attempts: number;
  lastError: string | null;
}

export interface RendezvousSnapshot {
  room: string;
  relays: { url: string; state: RelayState }[];
  /** Records currently known, whatever their state. */
  seen: number;
  /** Fresh records whose signature, IDs and certificate verified. */
  valid: number;
  stale: number;
  /** Records that failed verification (counted once per record version). */
  invalid: number;
  lastAnnounceAt: number | null;
  lastDiscoveryAt: number | null;
}

export interface Totals {
  /** Ready connections. */
  peers: number;
  rateIn: number;
  rateOut: number;
  medianRttMs: number | null;
  /** Mean loss over ready connections (0–1). */
  loss: number;
  /** The median strength over ready connections, rounded down; 0 with none. */
  strength: Strength;
  /** Handshakes refused (forged identity, bad certificate, protocol violation). */
  handshakesRefused: number;
}

export interface NodeSnapshot {
  /** When this snapshot was taken (ms since epoch). */
  at: number;
  nodeId: string;
  userId: string;
  /** The desired state the node is converging to. */
  enabled: boolean;
  signaling: SignalingSnapshot;
  rendezvous: RendezvousSnapshot;
  peers: PeerSnapshot[];
  totals: Totals;
}
