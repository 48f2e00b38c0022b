/**
 * A Meshdeck node running core/ under Node (PeerJS over @roamhq/wrtc, GUN over ws): the demo peers of
 * `npm start` and the test peers of the e2e suite. It is the same node as the extension's, with its
 * identity kept in memory.
 */
import { systemClock } from '../core/lib/clock';
import { Identity, type StoredIdentity } from '../core/identity/identity';
import { loadOrCreateIdentity } from '../core/identity/identity-store';
import { memoryNodeKeyStore, type NodeKeyStore } from '../core/identity/node-key-store';
import { memoryKeyValueStore } from '../core/lib/storage';
import type { MeshNode } from '../core/node/node';
import { defaultSettings, validateSettings, DEFAULT_MAX_PEERS, type Settings } from '../core/settings/settings';
import { installNodeWebRTC } from './node-webrtc';
import { requireGun } from './quiet-gun';

interface NodePeerOptions {
  signalingUrl: string;
  /** More PeerJS servers to register on as well. */
  backupSignalingUrls?: string[];
  relayUrls: string[];
  /** WebSocket trackers to meet the room through when no PeerJS server or relay is reachable. */
  trackerUrls?: string[];
  room?: string;
  maxPeers?: number;
  /** Reuse an identity and its node key (a node restarted); a fresh one is made otherwise. */
  identity?: { stored: StoredIdentity; keys: NodeKeyStore };
  /** Any other settings (ICE servers, routing, pauses: meshdeck-node's config), applied over the fields above. */
  overrides?: Partial<Settings>;
}

export async function startNodePeer(
  options: NodePeerOptions,
): Promise<{ node: MeshNode; identity: { stored: StoredIdentity; keys: NodeKeyStore }; settings: Settings }> {
  const { MeshNode, transports } = await loadNodeTransports();
  const identity = options.identity ?? (await createMemoryIdentity());
  const node = new MeshNode({
    identity: await Identity.fromStored(identity.stored, identity.keys),
    clock: systemClock,
    ...transports,
    app: 'meshdeck-node/0.1.0',
    random: Math.random,
  });
  const settings = validateSettings({
    ...defaultSettings(),
    signalingUrl: options.signalingUrl,
    backupSignalingUrls: options.backupSignalingUrls ?? [],
    relayUrls: options.relayUrls,
    trackerUrls: options.trackerUrls ?? [],
    room: options.room ?? 'default',
    maxPeers: options.maxPeers ?? DEFAULT_MAX_PEERS,
    ...options.overrides,
  });
  node.configure(settings);
  return { node, identity, settings };
}

/** The real transports under Node (PeerJS over @roamhq/wrtc, GUN over ws, trackers), for a MeshNode or a NodeHost. */
export async function loadNodeTransports() {
  installNodeWebRTC();
  // GUN loads here first, without its greeting, so gun-rendezvous.ts's import of it below prints nothing.
  requireGun('gun/gun');
  // peerjs reads the WebRTC globals when it loads, so the transports load after installNodeWebRTC().
  const [{ MeshNode }, { createPeerJsSignaling }, { createGunSignaling }, { createTrackerSignaling }, { createGunRendezvous }, { checkIceServer }] = await Promise.all([
    import('../core/node/node'),
    import('../core/signaling/peerjs-signaling'),
    import('../core/signaling/gun-signaling'),
    import('../core/signaling/tracker-signaling'),
    import('../core/discovery/gun-rendezvous'),
    import('../core/signaling/ice-check'),
  ]);
  return {
    MeshNode,
    transports: {
      createSignaling: createPeerJsSignaling,
      createFallbackSignaling: createGunSignaling,
      createMeetingSignaling: createTrackerSignaling,
      createRendezvous: createGunRendezvous,
      checkIceServer,
    },
  };
}

async function createMemoryIdentity(): Promise<{ stored: StoredIdentity; keys: NodeKeyStore }> {
  const keys = memoryNodeKeyStore();
  return { stored: await loadOrCreateIdentity({ local: memoryKeyValueStore(), sync: memoryKeyValueStore(), keys }), keys };
}
