/**
 * The two network services the node stands on, as interfaces so core runs under Node with fakes:
 * signaling (PeerJS first, fallback paths beside it, core/signaling/signal-paths.ts) and the
 * rendezvous (GUN), which also carries the fallback signals.
 */
import type { Clock } from '../lib/clock';
import type { Emitter } from '../lib/events';
import type { Link } from '../session/link';
import type { FallbackSignalingSnapshot, RelayState, SignalingState } from './observed-state';
import type { Identity } from '../identity/identity';
import type { NodeRecord } from '../discovery/rendezvous-record';
import type { IceServer } from '../control/settings';

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

export interface RendezvousEvents {
  /** A node record as the store returned it: unverified, possibly partial or forged. */
  'record:update': unknown;
  'relay:state': { url: string; state: RelayState };
  /** Writes refused before GUN took them in (graph-screen.ts: records, file lists, signals…), as they came. */
  'records:refused': unknown[];
  /** A value of the watched shared channel (a paired browser's sealed block list): unverified. */
  'shared:update': { channel: string; value: unknown };
  /** A value under a watched slot path (watchSlots; `path` joined with "/"), filed under `key`: unverified. */
  'slot:update': { path: string; key: string; value: unknown };
}

export interface Rendezvous {
  readonly events: Emitter<RendezvousEvents>;
  /** Attaches to the relays and starts delivering records of the room. */
  start(): void;
  /** Detaches from every relay and stops delivering. Idempotent. */
  stop(): void;
  announce(record: NodeRecord): void;
  /** Delivers every record currently known again (used by a manual refresh). */
  reread(): void;
  /** Writes `value` under `key` in a shared channel (core/pairing/shared-list.ts). */
  share(channel: string, key: string, value: Record<string, string | number>): void;
  /** Delivers the values of `channel`, now and as they change, as 'shared:update'; null stops. One at a time. */
  watchShared(channel: string | null): void;
  /**
   * The room's slots for fallback signaling (core/signaling/gun-signaling.ts) and the file lists
   * (core/files), at
   * `meshdeck/v1/<room>/<path…>/<key>`: writes `value` there whole.
   */
  putSlot(path: readonly string[], key: string, value: Record<string, string | number>): void;
  /** Delivers every value under `path`, now and as they change, as 'slot:update', until unwatchSlots. Several paths may be watched. */
  watchSlots(path: readonly string[]): void;
  unwatchSlots(path: readonly string[]): void;
  /**
   * The value at `path`/`key` once a relay has one that `accept` takes (its signature checked, say),
   * or undefined after `ms`. A forged value does not end the read: the genuine one may come after it.
   */
  readSlot(path: readonly string[], key: string, ms: number, accept?: (value: unknown) => Promise<boolean>): Promise<unknown>;
}

export interface RendezvousOptions {
  relayUrls: string[];
  room: string;
  clock: Clock;
  /** Whether this node holds a valid record of `nodeId`: its rewrites are read before strangers' links. */
  knows?(nodeId: string): boolean;
}

export type RendezvousFactory = (options: RendezvousOptions) => Rendezvous;
