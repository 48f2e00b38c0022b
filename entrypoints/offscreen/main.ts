/** The node host in Chrome: runs core's NodeHost with PeerJS signaling and the GUN rendezvous. */
// First: in test builds it counts connections and timers from before PeerJS or GUN load.
import { instruments } from './instrument';
import { Peer } from '../../core/signaling/peerjs';
import { systemClock } from '../../core/lib/clock';
import { createGunRendezvous } from '../../core/discovery/gun-rendezvous';
import { NodeHost } from '../../core/host/node-host';
import { indexedDbNodeKeyStore } from '../../core/identity/node-key-store';
import { createPeerJsSignaling } from '../../core/signaling/peerjs-signaling';
import { createRuntimeChannel } from './runtime-channel';
import { version } from '../../package.json';

const host = new NodeHost({
  channel: createRuntimeChannel(),
  clock: systemClock,
  createSignaling: createPeerJsSignaling,
  createRendezvous: createGunRendezvous,
  keys: indexedDbNodeKeyStore(indexedDB),
  // The offscreen document's chrome.runtime has no getManifest(): take the version from the build.
  app: `meshdeck/${version}`,
});

// Test builds' debug hook: e2e tests and benchmarks reach the node (and a raw PeerJS for the baseline
// measurement) through it. Only extension contexts and DevTools see this document, and a store build
// has no hook at all.
if (instruments) Object.assign(globalThis, { meshdeck: { host, Peer, instruments } });

// The network is back: signaling need not wait out its backoff.
addEventListener('online', () => host.node?.retrySignaling());
addEventListener('pagehide', () => host.stop());
host.start().catch((error: unknown) => console.error('meshdeck: node host failed to start', error));
