/**
 * The rendezvous (GUN) as the node stands on it, an interface so that core runs under Node with fakes:
 * the room's node records, its slots (which also carry the fallback signals) and the shared channels.
 */
import type { Clock } from '../lib/clock';
import type { Emitter } from '../lib/events';
import type { NodeRecord } from './rendezvous-record';

export type RelayState = 'connecting' | 'open' | 'closed';

/**
 * A consumer's word on a value handed on: true when it took it as news (signed by its writer, newer
 * than the last taken from it), or when nothing better can come by waiting (this node's own write);
 * false for anything else: forged, malformed, a replay, the value already held, one it cannot judge
 * yet. A read ends on news, and after anything else waits on for another (child-reader.ts); the first
 * word counts. Exactly one consumer answers each value.
 */
export type Verdict = (genuine: boolean) => void;

export interface RendezvousEvents {
  /** A node record as the store returned it: unverified, possibly partial or forged. */
  'record:update': { value: unknown; verdict: Verdict };
  'relay:state': { url: string; state: RelayState };
  /** Writes refused before GUN took them in (graph-screen.ts: records, file lists, signals…), as they came. */
  'records:refused': unknown[];
  /** A value of the watched shared channel (a paired browser's sealed block list): unverified. */
  'shared:update': { channel: string; value: unknown; verdict: Verdict };
  /** A value under a watched slot path (watchSlots; `path` joined with "/"), filed under `key`: unverified. */
  'slot:update': { path: string; key: string; value: unknown; verdict: Verdict };
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
