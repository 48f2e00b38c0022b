/**
 * The compatibility layer between file sharing (core/files/file-sharing.ts) and WebTorrent: the few
 * things Meshdeck asks of a torrent client, so core runs under Node with a fake one and the browser
 * loads the real one (webtorrent 3's browser bundle) only when the Files panel is first used.
 */

export interface TorrentEngine {
  /** Starts seeding `file` under `name`; resolves once its infohash is known. */
  seed(file: Blob, name: string): Promise<Transfer>;
  /** Starts fetching the torrent of `infoHash` (40 hex digits) from whoever has it. */
  fetch(infoHash: string): Transfer;
  /** Stops every transfer and releases every connection. */
  destroy(): void;
}

export interface Transfer {
  readonly infoHash: string;
  /** Known once the metadata arrived (at once when seeding). */
  readonly name: string | null;
  readonly length: number | null;
  /** 0–1. */
  readonly progress: number;
  /** Bytes a second, as the client measures them. */
  readonly downloadSpeed: number;
  readonly uploadSpeed: number;
  readonly peers: number;
  readonly done: boolean;
  /** Called once the metadata is known (name and length), the whole file is here and verified, or the transfer failed. */
  onMetadata(callback: () => void): void;
  onDone(callback: () => void): void;
  onError(callback: (error: Error) => void): void;
  /** The file, once done. */
  blob(): Promise<Blob>;
  /** Stops this transfer and drops its pieces. */
  destroy(): void;
}

/** What the engine is created with: always explicit, so no default tracker or STUN server is ever used. */
export interface TorrentEngineOptions {
  trackerUrls: string[];
  iceServers: RTCIceServer[];
}

export type TorrentEngineLoader = (options: TorrentEngineOptions) => Promise<TorrentEngine>;
