/** Runs core's NodeHost with PeerJS signaling and the GUN rendezvous in this document. */
// First: in test builds it counts connections and timers from before PeerJS or GUN load.
import { instruments } from './instrument';
import { Peer } from '../../../core/signaling/peerjs';
import { systemClock } from '../../../core/lib/clock';
import { createGunRendezvous } from '../../../core/discovery/gun-rendezvous';
import { NodeHost, type HostChannel } from '../../../core/host/node-host';
import { indexedDbNodeKeyStore } from '../../../core/identity/node-key-store';
import { createPeerJsSignaling } from '../../../core/signaling/peerjs-signaling';
import { indexedDbBlobStore } from '../../../core/files/blob-store';
import { createTrackerSignaling } from '../../../core/signaling/tracker-signaling';
import { createGunSignaling } from '../../../core/signaling/gun-signaling';
import { checkIceServer } from '../../../core/signaling/ice-check';
import { version } from '../../../package.json';

interface RunningHost {
  host: NodeHost;
  /** Stops the host and removes the document listeners it added. */
  stop(): void;
}

export function startNodeHost(channel: HostChannel): RunningHost {
  const host = new NodeHost({
    channel,
    clock: systemClock,
    createSignaling: createPeerJsSignaling,
    createFallbackSignaling: createGunSignaling,
    createMeetingSignaling: createTrackerSignaling,
    // A chunk of its own, loaded when file sharing is first used (its weight: resilience.json).
    loadTorrentEngine: (options) => import('./webtorrent-engine').then(({ createWebTorrentEngine }) => createWebTorrentEngine(options)),
    createRendezvous: createGunRendezvous,
    checkIceServer,
    keys: indexedDbNodeKeyStore(indexedDB),
    blobs: indexedDbBlobStore(indexedDB),
    // The offscreen document's chrome.runtime has no getManifest(): take the version from the build.
    app: `meshdeck/${version}`,
    random: Math.random,
  });

  // Test builds' debug hook: e2e tests and benchmarks reach the node (and a raw PeerJS for the baseline
  // measurement) through it. Only extension contexts and DevTools see this document, and a store build
  // has no hook at all.
  // `checkIceServer` lets the robustness benchmark's pc cycles make throwaway ICE checks.
  if (instruments) Object.assign(globalThis, { meshdeck: { host, Peer, instruments, checkIceServer } });

  // The network is back: signaling need not wait out its backoff.
  const onOnline = (): void => host.node?.retrySignaling();
  const stop = (): void => {
    removeEventListener('online', onOnline);
    removeEventListener('pagehide', stop);
    host.stop();
  };
  addEventListener('online', onOnline);
  addEventListener('pagehide', stop);
  host.start().catch((error: unknown) => console.error('meshdeck: node host failed to start', error));
  return { host, stop };
}
