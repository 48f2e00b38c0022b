/**
 * Observed state: what the node host reports to the views. Plain JSON so it crosses
 * `runtime` messaging unchanged.
 */
import type { FilesSnapshot } from '../files/file-sharing';
import type { ConnectionDirection, SignalPath } from '../session/link';
import type { PeerSnapshot, Strength } from '../session/peer-snapshot';
import type { FallbackSignalingSnapshot, SignalingEndpointSnapshot, SignalingState } from '../signaling/signaling';
import type { IceServerCheck } from '../signaling/ice-check';
import type { RelayState } from '../discovery/rendezvous';
import type { RoutingSnapshot } from '../routing/routing-reports';
import type { LogEntry, LogLevel } from '../lib/event-log';

// The snapshot's parts, each defined by the layer that produces it: the views read them all here.
export type { ConnectionDirection, FallbackSignalingSnapshot, IceServerCheck, LogEntry, LogLevel, PeerSnapshot, RelayState, RoutingSnapshot, SignalingEndpointSnapshot, SignalingState, SignalPath, Strength };

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

