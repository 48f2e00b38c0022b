/**
 * What the node offers the room beside its connections, while it is online: the paired browsers'
 * shared channel (core/pairing/shared-list.ts: each writes its sealed block list there) and file
 * sharing (core/files). Both ride on the rendezvous of the node's current run.
 */
import type { Clock } from '../lib/clock';
import type { Identity } from '../identity/identity';
import type { Rendezvous, Verdict } from '../discovery/rendezvous';
import { FileSharing } from '../files/file-sharing';
import type { TorrentEngineLoader } from '../files/torrent-engine';
import type { Settings } from '../settings/settings';

export interface SharedChannel {
  channel: string;
  value: Record<string, string | number>;
}

interface RoomServicesDeps {
  identity: Identity;
  clock: Clock;
  /** No file sharing when absent. */
  loadTorrentEngine?: TorrentEngineLoader;
  /** The node key of a node with a fresh, valid record. */
  nodeKeyOf(nodeId: string): CryptoKey | null;
  isPeer(nodeId: string): boolean;
  /** A value of the shared channel, unverified: whoever merges it gives the verdict. */
  heard(value: unknown, verdict: Verdict): void;
  /** The file lists or transfers changed. */
  changed(): void;
}

export class RoomServices {
  private shared: SharedChannel | null = null;
  private rendezvous: Rendezvous | null = null;
  private fileSharing: FileSharing | null = null;

  constructor(private readonly deps: RoomServicesDeps) {}

  /** File sharing while the node is online (null offline, or without a torrent engine). */
  get files(): FileSharing | null {
    return this.fileSharing;
  }

  /** The node went online on `rendezvous`: the shared channel is watched and written, file sharing starts. */
  start(rendezvous: Rendezvous, settings: Settings): void {
    this.rendezvous = rendezvous;
    if (this.shared) this.applyShared(rendezvous, this.shared);
    const loadEngine = this.deps.loadTorrentEngine;
    if (!loadEngine) return;
    const files = new FileSharing({
      identity: this.deps.identity,
      clock: this.deps.clock,
      board: rendezvous,
      nodeKeyOf: (id) => this.deps.nodeKeyOf(id),
      isPeer: (id) => this.deps.isPeer(id),
      loadEngine,
      engineOptions: { trackerUrls: settings.trackerUrls ?? [], iceServers: settings.iceServers as RTCIceServer[] },
    });
    files.events.on('files:change', () => this.deps.changed());
    this.fileSharing = files;
  }

  /** The node went offline. */
  stop(): void {
    this.fileSharing?.stop();
    this.fileSharing = null;
    this.rendezvous = null;
  }

  /**
   * Watches a shared channel and writes this node's value there, now and whenever the node is online;
   * null stops both.
   */
  setShared(shared: SharedChannel | null): void {
    this.shared = shared;
    if (!this.rendezvous) return;
    if (shared) this.applyShared(this.rendezvous, shared);
    else this.rendezvous.watchShared(null);
  }

  /** A value the rendezvous read on `channel`. */
  heard(channel: string, value: unknown, verdict: Verdict): void {
    if (this.shared?.channel === channel) this.deps.heard(value, verdict);
    else verdict(true);
  }

  private applyShared(rendezvous: Rendezvous, shared: SharedChannel): void {
    rendezvous.watchShared(shared.channel);
    rendezvous.share(shared.channel, this.deps.identity.nodeId, shared.value);
  }
}
