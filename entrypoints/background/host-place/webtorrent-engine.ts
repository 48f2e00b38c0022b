/**
 * The TorrentEngine over webtorrent 3's browser bundle (core/files/torrent-engine.ts). Imported only
 * by `import()` when the Files panel is first used, so it is a chunk of its own that the node host
 * does not load at start.
 *
 * WebTorrent adds public trackers and public STUN servers unless told otherwise: every client and
 * torrent here is given its announce list and ICE servers explicitly (the settings'), with DHT, local
 * service discovery, peer exchange and web seeds off.
 */
import WebTorrent from 'webtorrent/dist/webtorrent.min.js';
import type { TorrentEngine, TorrentEngineOptions, Transfer } from '../../../core/files/torrent-engine';

interface WebTorrentFile {
  blob(): Promise<Blob>;
}

interface WebTorrentTorrent {
  readonly infoHash: string;
  readonly name?: string;
  readonly length?: number;
  readonly progress: number;
  readonly downloadSpeed: number;
  readonly uploadSpeed: number;
  readonly numPeers: number;
  readonly done: boolean;
  readonly ready: boolean;
  readonly files: WebTorrentFile[];
  on(event: 'metadata' | 'done' | 'ready', listener: () => void): void;
  on(event: 'error', listener: (error: Error | string) => void): void;
  destroy(options?: { destroyStore?: boolean }): void;
}

interface WebTorrentClient {
  seed(input: Blob, options: Record<string, unknown>, onSeed: (torrent: WebTorrentTorrent) => void): WebTorrentTorrent;
  add(id: string, options: Record<string, unknown>): WebTorrentTorrent;
  on(event: 'error', listener: (error: Error | string) => void): void;
  destroy(): void;
}

type WebTorrentConstructor = new (options: Record<string, unknown>) => WebTorrentClient;

const asError = (error: Error | string): Error => (typeof error === 'string' ? new Error(error) : error);

function transfer(torrent: WebTorrentTorrent): Transfer {
  return {
    get infoHash() {
      return torrent.infoHash;
    },
    get name() {
      return torrent.name ?? null;
    },
    get length() {
      return torrent.length ?? null;
    },
    get progress() {
      return torrent.progress;
    },
    get downloadSpeed() {
      return torrent.downloadSpeed;
    },
    get uploadSpeed() {
      return torrent.uploadSpeed;
    },
    get peers() {
      return torrent.numPeers;
    },
    get done() {
      return torrent.done;
    },
    onMetadata: (callback) => torrent.on('metadata', callback),
    onDone: (callback) => torrent.on('done', callback),
    onError: (callback) => torrent.on('error', (error) => callback(asError(error))),
    blob: () => torrent.files[0]!.blob(),
    destroy: () => torrent.destroy({ destroyStore: true }),
  };
}

export function createWebTorrentEngine({ trackerUrls, iceServers }: TorrentEngineOptions): TorrentEngine {
  const client = new (WebTorrent as unknown as WebTorrentConstructor)({
    dht: false,
    lsd: false,
    utPex: false,
    webSeeds: false,
    natUpnp: false,
    natPmp: false,
    tracker: { rtcConfig: { iceServers } },
  });
  // Errors belong to transfers; one the client raises itself must not go unheard.
  client.on('error', (error) => console.warn('meshdeck: WebTorrent:', asError(error).message));
  const announce = { announce: [...trackerUrls], announceList: trackerUrls.map((url) => [url]) };
  return {
    seed: (file, name) =>
      new Promise((resolve, reject) => {
        const torrent = client.seed(file, { ...announce, name, private: true }, (seeded) => resolve(transfer(seeded)));
        torrent.on('error', (error) => reject(asError(error)));
      }),
    fetch: (infoHash) => transfer(client.add(infoHash, { announce: [...trackerUrls], private: true })),
    destroy: () => client.destroy(),
  };
}
