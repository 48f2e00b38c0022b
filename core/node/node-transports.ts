/**
 * A node's transports for one online run, made from its settings: the rendezvous on the GUN relays,
 * and its signaling paths (PeerJS servers first; the relays' fallback; the trackers, where the node
 * meets the room when it reaches neither).
 */
import type { Clock } from '../lib/clock';
import type { Identity } from '../identity/identity';
import type { Rendezvous, RendezvousFactory } from '../discovery/rendezvous';
import { signalingUrlsOf, type Settings } from '../settings/settings';
import type { FallbackSignalingFactory, MeetingSignalingFactory, SignalingFactory } from '../signaling/signaling';
import { SignalPaths } from '../signaling/signal-paths';

export interface TransportFactories {
  identity: Identity;
  clock: Clock;
  createSignaling: SignalingFactory;
  /** Signaling paths beside PeerJS (the GUN relays); none when absent. */
  createFallbackSignaling?: FallbackSignalingFactory;
  /** Where the node meets the room when it reaches no PeerJS server and no relay (the trackers); none when absent. */
  createMeetingSignaling?: MeetingSignalingFactory;
  createRendezvous: RendezvousFactory;
}

interface TransportHooks {
  /** The node key of a node with a fresh, valid record (the only senders the fallback hears; writers read first). */
  freshKeyOf(nodeId: string): CryptoKey | null;
  /** Offers the trackers should have out. */
  offersWanted(): number;
  /** Whether a session with `nodeId` exists. */
  holds(nodeId: string): boolean;
  /** A signaling path opened or closed. */
  pathsChanged(): void;
}

export function openTransports(made: TransportFactories, settings: Settings, hooks: TransportHooks): { signaling: SignalPaths; rendezvous: Rendezvous } {
  const { clock, identity } = made;
  const { iceServers, room } = settings;
  const rendezvous = made.createRendezvous({ relayUrls: settings.relayUrls, room, clock, knows: (nodeId) => hooks.freshKeyOf(nodeId) !== null });
  const primaries = signalingUrlsOf(settings).map((url) => made.createSignaling({ url, nodeId: identity.nodeId, iceServers, clock }));
  const fallbacks = made.createFallbackSignaling ? [made.createFallbackSignaling({ identity, iceServers, clock, board: rendezvous, nodeKeyOf: (id) => hooks.freshKeyOf(id) })] : [];
  const trackerUrls = settings.trackerUrls ?? [];
  const meetings =
    made.createMeetingSignaling && trackerUrls.length > 0
      ? [made.createMeetingSignaling({ urls: trackerUrls, room, nodeId: identity.nodeId, iceServers, clock, offersWanted: hooks.offersWanted, holds: hooks.holds })]
      : [];
  return { signaling: new SignalPaths(primaries, fallbacks, meetings, clock, hooks.pathsChanged), rendezvous };
}
