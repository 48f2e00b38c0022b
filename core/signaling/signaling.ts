/**
 * Signaling as the node stands on it, an interface so that core runs under Node with fakes: PeerJS
 * first, fallback paths beside it (core/signaling/signal-paths.ts), and meeting paths.
 */
import type { Clock } from '../lib/clock';
import type { Emitter } from '../lib/events';
import type { Link, SignalPath } from '../session/link';
import type { Identity } from '../identity/identity';
import type { IceServer } from '../settings/settings';
import type { Rendezvous } from '../discovery/rendezvous';

export type SignalingState = 'stopped' | 'connecting' | 'open' | 'disconnected' | 'error';

/** One PeerJS server of the settings' list, as the node sees it. */
export interface SignalingEndpointSnapshot {
  url: string;
  state: SignalingState;
  lastError: string | null;
}

/** A fallback signaling path (the GUN relays) as the Signaling endpoint panel and Diagnostics show it. */
export interface FallbackSignalingSnapshot {
  path: SignalPath;
  /** `open`: it can set connections up now (a relay is open and its box key is out). */
  state: SignalingState;
  /** Connections it set up since the node went online. */
  setUp: number;
  /** Signals it refused: forged, replayed, stale, malformed, from an unknown node or over budget. */
  refused: number;
  lastError: string | null;
}

export interface SignalingEvents {
  'signaling:state': { state: SignalingState; error: string | null };
  /** A remote node dialled us. */
  'link:inbound': Link;
  /** A node answered an offer of ours that was not for anyone in particular (a meeting path, the tracker). */
  'link:met': Link;
  /** A message from a signaling server could not be handled and was dropped (why, in words). */
  'message:dropped': string;
}

/** What the node knows of a dial target: the signaling endpoints its verified record lists. */
export interface DialTarget {
  signal: readonly string[];
}

export interface Signaling {
  readonly url: string;
  readonly events: Emitter<SignalingEvents>;
  /** Registration attempts since it was last open. */
  readonly attempts: number;
  /** Registers under the node ID and keeps registered (retries, reconnects) until stop(). */
  start(): void;
  /** Unregisters and releases every socket, timer and listener. Idempotent. */
  stop(): void;
  /** Opens an outbound link; failures arrive as the link's `error` then `close`. */
  dial(nodeId: string, target?: DialTarget): Link;
  /** `Stop signaling`: leaves the server (state `stopped`) but keeps every open link. */
  pause(): void;
  /** Registers again after pause() (or starts, if never started). */
  resume(): void;
  /** Skips the backoff wait: the next registration attempt starts now. */
  retryNow(): void;
}

export interface SignalingOptions {
  url: string;
  nodeId: string;
  iceServers: IceServer[];
  clock: Clock;
}

export type SignalingFactory = (options: SignalingOptions) => Signaling;

/** A signaling path beside PeerJS (core/signaling/signal-paths.ts), for targets PeerJS cannot reach. */
export interface FallbackSignaling extends Signaling {
  readonly state: SignalingState;
  snapshot(): FallbackSignalingSnapshot;
}

export interface FallbackSignalingOptions {
  identity: Identity;
  iceServers: IceServer[];
  clock: Clock;
  /** The rendezvous it writes its signals on. */
  board: Rendezvous;
  /** The node key of a node with a fresh, valid record; null for any other. */
  nodeKeyOf(nodeId: string): CryptoKey | null;
}

export type FallbackSignalingFactory = (options: FallbackSignalingOptions) => FallbackSignaling;

/**
 * A path on which the node meets whoever else is there rather than dialling a given node (the
 * WebTorrent tracker, core/signaling/tracker-signaling.ts): its offers go out to no one in particular,
 * and a connection comes of them as `link:met`, or of another node's offer as `link:inbound`.
 */
export interface MeetingSignaling {
  readonly events: Emitter<SignalingEvents>;
  readonly state: SignalingState;
  snapshot(): FallbackSignalingSnapshot;
  start(): void;
  stop(): void;
  pause(): void;
  resume(): void;
  retryNow(): void;
}

export interface MeetingSignalingOptions {
  urls: string[];
  room: string;
  nodeId: string;
  iceServers: IceServer[];
  clock: Clock;
  /** How many offers the node wants out now (0 while it needs none: it reaches its peers otherwise, or is full). */
  offersWanted(): number;
  /** Whether the node holds a connection to `nodeId` already: its offers are not answered again. */
  holds(nodeId: string): boolean;
}

export type MeetingSignalingFactory = (options: MeetingSignalingOptions) => MeetingSignaling;
