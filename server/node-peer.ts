/**
 * A Meshdeck node running core/ under Node (PeerJS over @roamhq/wrtc, GUN over ws): the demo peers of
 * `npm start` and the test peers of the e2e suite. It is the same node as the extension's, with its
 * identity kept in memory.
 */
import { systemClock } from '../core/lib/clock';
import { loadOrCreateIdentity, Identity, type StoredIdentity } from '../core/identity/identity';
import { memoryKeyValueStore } from '../core/lib/storage';
import type { MeshNode } from '../core/node/node';
import { defaultSettings, validateSettings, DEFAULT_MAX_PEERS, type Settings } from '../core/control/settings';
import { installNodeWebRTC } from './node-webrtc';

export interface NodePeerOptions {
  signalingUrl: string;
  relayUrls: string[];
  room?: string;
  maxPeers?: number;
  /** Reuse an identity (e.g. a second node of the same user); a fresh one is made otherwise. */
  identity?: StoredIdentity;
}

export async function startNodePeer(options: NodePeerOptions): Promise<{ node: MeshNode; identity: StoredIdentity; settings: Settings }> {
  installNodeWebRTC();
  // peerjs reads the WebRTC globals when it loads, so the transports load after installNodeWebRTC().
  const [{ MeshNode }, { createPeerJsSignaling }, { createGunRendezvous }] = await Promise.all([
    import('../core/node/node'),
    import('../core/signaling/peerjs-signaling'),
    import('../core/discovery/gun-rendezvous'),
  ]);
  const stored = options.identity ?? (await loadOrCreateIdentity({ local: memoryKeyValueStore(), sync: memoryKeyValueStore() }));
  const node = new MeshNode({
    identity: await Identity.fromStored(stored),
    clock: systemClock,
    createSignaling: createPeerJsSignaling,
    createRendezvous: createGunRendezvous,
    app: 'meshdeck-node/0.1.0',
  });
  const settings = validateSettings({
    ...defaultSettings(),
    signalingUrl: options.signalingUrl,
    relayUrls: options.relayUrls,
    room: options.room ?? 'default',
    maxPeers: options.maxPeers ?? DEFAULT_MAX_PEERS,
  });
  node.configure(settings);
  return { node, identity: stored, settings };
}
