/**
 * Observed state: what the node host reports to the views. Plain JSON so it crosses
 * `runtime` messaging unchanged.
 */
import type { FilesSnapshot } from '../files/file-sharing';
import type { ConnectionDirection, Route, SignalPath } from '../session/link';
import type { FallbackSignalingSnapshot, SignalingState } from '../signaling/signaling';
import type { RelayState } from '../discovery/rendezvous';

// The snapshot's words, defined by the layers that produce them: the views read them here.
export type { ConnectionDirection, FallbackSignalingSnapshot, RelayState, SignalingState, SignalPath };

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

/** A connection that ended recently, kept so its error stays pinned to it (newest first, 2 min). */
export interface ClosedPeerSnapshot {
  nodeId: string;
  userId: string | null;
  direction: ConnectionDirection;
  closedAt: number;
  /** Why it ended, in words ("handshake refused", "peer switched off", "heartbeat lost"). */
  reason: string;
  lastError: string | null;
}

/** A node known from the rendezvous mesh, as the topology and the mesh ping picker show it. */
export interface DiscoveredNode {
  nodeId: string;
  userId: string;
  /** `ready`: a ready neighbour; `known`: fresh and valid; `stale`: record older than 60 s; `blocked`. */
  status: 'ready' | 'known' | 'stale' | 'blocked';
  /** Its announced ready neighbours (node IDs). */
  neighbors: string[];
  /** Whether it announces mesh routing on. */
  routing: boolean;
  /** The record's own timestamp. */
  announcedAt: number;
}

/** The node's switches as the node applies them (observed; the desired copy is in Settings). */
export interface ControlsSnapshot {
  routing: boolean;
  pauseIncoming: boolean;
  pauseOutgoing: boolean;
  /** Node and user IDs the node refuses. */
  blocked: string[];
  /** `Trusted peers only`: only trusted peers are taken and dialled (core/node/trust-policy.ts). */
  trustedOnly: boolean;
  /** The trust list: node and user IDs the node trusts (its own user's browsers are trusted without it). */
  trusted: string[];
}

/** Route messages this node handled (docs/protocol.md §6). */
export interface RoutingSnapshot {
  delivered: number;
  forwarded: number;
  /** Dropped: bad signature, unknown source key, blocked source, malformed path. */
  dropped: number;
  /** Dropped because routing is off here. */
  notForwarded: number;
  /**
   * Copies of unicast routes (sent from here or forwarded) that went to one neighbour: the destination
   * itself or the next hop of a shortest known path (core/routing/route-graph.ts).
   */
  directed: number;
  /** Copies sent by flooding: broadcasts, and unicast routes with no known path (to a few random neighbours). */
  flooded: number;
}

export interface SignalingSnapshot {
  url: string;
  state: SignalingState;
  /** When `state` was entered. */
  since: number;
  /** Registration attempts since the last time it was open. */
  attempts: number;
  lastError: string | null;
  /** Stopped by the user (`Stop signaling`): until when (ms since epoch), or null for "until resumed". */
  stoppedByUser: boolean;
  stoppedUntil: number | null;
  /** Every PeerJS server the node registers on (`url` is the first), with its own state. */
  endpoints: SignalingEndpointSnapshot[];
  /** The fallback paths beside the PeerJS servers, for targets they cannot reach. */
  fallbacks: FallbackSignalingSnapshot[];
}

/** One PeerJS server of the settings' list, as the node sees it. */
export interface SignalingEndpointSnapshot {
  url: string;
  state: SignalingState;
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
  /** The slowest ready connection's round trip. */
  worstRttMs: number | null;
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
  closedPeers: ClosedPeerSnapshot[];
  discovered: DiscoveredNode[];
  controls: ControlsSnapshot;
  routing: RoutingSnapshot;
  totals: Totals;
  /** File sharing while the node is online; null offline or without a torrent engine, absent from older hosts. */
  files?: FilesSnapshot | null;
  /** Each configured STUN/TURN server as last checked (core/signaling/ice-check.ts); absent from older hosts. */
  ice?: IceServerCheck[];
}

export interface IceServerCheck {
  /** The server's first URL: credentials never appear here. */
  url: string;
  state: 'checking' | 'ok' | 'failed';
  /** Why it failed, in words. */
  error: string | null;
  at: number;
}

/** One point of the networking history: a second (last 5 minutes) or a minute (last 24 hours). */
export interface StatsPoint {
  /** Start of the interval (ms since epoch). */
  at: number;
  peers: number;
  rateIn: number;
  rateOut: number;
  medianRttMs: number | null;
  worstRttMs: number | null;
  loss: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One structured event of the node's log (a bounded ring buffer). */
export interface LogEntry {
  seq: number;
  at: number;
  level: LogLevel;
  /** `noun:verb`, e.g. `peer:ready`, `peer:close`, `handshake:refused`, `signaling:error`, `control:routing`. */
  type: string;
  message: string;
  /** The peer the event is about, if any. */
  nodeId?: string;
}
