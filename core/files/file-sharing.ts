/**
 * File sharing in the room (the `Files` panel) through WebTorrent, beside the node and never in its
 * way: the torrent engine is loaded only when the user first shares or downloads, runs its own peer
 * connections, and carries none of Meshdeck's protocol. What a node shares is listed in a signed
 * record on the relays (core/files/file-list.ts), so the room sees each file with its size and who
 * shares it; the bytes are checked piece by piece against the infohash by the engine.
 *
 * Bounds: files up to MAX_FILE_BYTES, MAX_LISTED shared and MAX_DOWNLOADS fetched at once; a download
 * that finds no peer within NO_PEERS_MS stops with a message that says so.
 */
import { Emitter } from '../lib/events';
import { TimerGroup, type Clock } from '../lib/clock';
import { errorText } from '../lib/error-text';
import type { Identity } from '../identity/identity';
import type { Rendezvous } from '../discovery/rendezvous';
import { FILE_LIST_FRESH_MS } from '../discovery/graph-families';
import { CHECKS_PER_FETCH } from '../discovery/child-reading';
import { isRecord } from '../lib/is-record';
import { INFO_HASH, MAX_LISTED, MAX_NAME_CHARS, openFileList, signFileList, type ListedFile } from './file-list';
import type { TorrentEngine, TorrentEngineLoader, TorrentEngineOptions, Transfer } from './torrent-engine';

/** The largest file shared or fetched: 50 MiB (it is held in memory and in the browser's storage). */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;
const MAX_DOWNLOADS = 4;
/** A download with no peer for this long is given up. */
export const NO_PEERS_MS = 20_000;
/** The list is written again this often: relays forget, and readers judge freshness by it. */
const LIST_REFRESH_MS = 60_000;
/** Another node's list older than this is no longer shown, and forgotten (three refreshes missed). */
export const LIST_FRESH_MS = FILE_LIST_FRESH_MS;
/**
 * Other nodes' lists held at once. Each costs a walk at every snapshot, and a room's signers are as
 * many as anyone can mint keys: the table must not follow them. Full, it takes a new signer's list
 * only from a ready peer (in place of the oldest-dated list of a node that is not one): evicting the
 * oldest-dated alone let Sybils re-signing at every turn push out every honest list (attacker read).
 */
export const LISTS_KEPT = 256;
const FILES_SLOT = ['files'] as const;
/** Nodes whose record is not known yet with lists heard from them, kept to be judged once it is. */
const PENDING_KEPT = 256;
/**
 * Lists kept per such node, the last heard (as many as one read hands on, CHECKS_PER_FETCH): a
 * relay's other clients answer reads too, and forged lists heard after the genuine one must not push
 * it out. At most 16 files a list, so a few KB each.
 */
const PENDING_PER_NODE = CHECKS_PER_FETCH;
const PENDING_RECHECK_MS = 2000;
/** While a download runs, its progress is published this often (the engine reports none by itself). */
const PROGRESS_MS = 500;

export type DownloadState = 'fetching' | 'done' | 'failed' | 'cancelled';

export interface SharedFileSnapshot extends ListedFile {
  peers: number;
  uploadBytesPerSecond: number;
}

export interface DownloadSnapshot {
  ih: string;
  name: string | null;
  size: number | null;
  state: DownloadState;
  /** 0–1. */
  progress: number;
  downloadBytesPerSecond: number;
  peers: number;
  error: string | null;
}

export interface RoomFileSnapshot extends ListedFile {
  /** The nodes listing it. */
  sharedBy: string[];
}

export interface FilesSnapshot {
  limitBytes: number;
  shared: SharedFileSnapshot[];
  downloads: DownloadSnapshot[];
  room: RoomFileSnapshot[];
  /** Why the engine did not load, if it did not. */
  engineError: string | null;
}

interface FileSharingEvents {
  'files:change': undefined;
}

interface FileSharingDeps {
  identity: Identity;
  clock: Clock;
  board: Pick<Rendezvous, 'events' | 'putSlot' | 'watchSlots' | 'unwatchSlots'>;
  /** The node key of a node with a fresh, valid record; null for any other. */
  nodeKeyOf(nodeId: string): CryptoKey | null;
  /** Whether `nodeId` is a ready peer of this node (its list is taken even when the table is full). */
  isPeer(nodeId: string): boolean;
  loadEngine: TorrentEngineLoader;
  engineOptions: TorrentEngineOptions;
}

export class FileSharingError extends Error {
  override name = 'FileSharingError';
}

interface Download {
  transfer: Transfer;
  state: DownloadState;
  error: string | null;
  timer: unknown;
}

export class FileSharing {
  readonly events = new Emitter<FileSharingEvents>();
  private engine: Promise<TorrentEngine> | null = null;
  private engineError: string | null = null;
  private readonly shared = new Map<string, { file: ListedFile; transfer: Transfer }>();
  private readonly downloads = new Map<string, Download>();
  /** Node → the files it lists and when it dated the list. */
  private readonly lists = new Map<string, { files: ListedFile[]; ts: number }>();
  private readonly timers: TimerGroup;
  private readonly unsubscribe: () => void;
  private readonly pending = new Map<string, unknown[]>();
  private listTs = 0;
  /** Run only while there is something to do: an idle node wakes for nothing here. */
  private progressTimer: unknown = null;
  private recheckTimer: unknown = null;

  constructor(private readonly deps: FileSharingDeps) {
    this.timers = new TimerGroup(deps.clock);
    this.unsubscribe = deps.board.events.on('slot:update', ({ path, key, value, verdict }) => {
      if (path === FILES_SLOT.join('/')) void this.heard(key, value).then(verdict, () => verdict(false));
    });
    deps.board.watchSlots(FILES_SLOT);
    this.timers.interval(() => this.publish(), LIST_REFRESH_MS);
  }

  snapshot(): FilesSnapshot {
    const now = this.deps.clock.now();
    this.forgetStaleLists(now);
    const room = new Map<string, RoomFileSnapshot>();
    for (const [nodeId, { files }] of this.lists) {
      if (nodeId === this.deps.identity.nodeId) continue;
      for (const file of files) {
        const entry = room.get(file.ih) ?? { ...file, sharedBy: [] };
        entry.sharedBy.push(nodeId);
        room.set(file.ih, entry);
      }
    }
    return {
      limitBytes: MAX_FILE_BYTES,
      shared: [...this.shared.values()].map(({ file, transfer }) => ({ ...file, peers: transfer.peers, uploadBytesPerSecond: transfer.uploadSpeed })),
      downloads: [...this.downloads.entries()].map(([ih, d]) => ({
        ih,
        name: d.transfer.name,
        size: d.transfer.length,
        state: d.state,
        progress: d.state === 'done' ? 1 : d.transfer.progress,
        downloadBytesPerSecond: d.state === 'fetching' ? d.transfer.downloadSpeed : 0,
        peers: d.state === 'fetching' ? d.transfer.peers : 0,
        error: d.error,
      })),
      room: [...room.values()],
      engineError: this.engineError,
    };
  }

  /** Shares `file` with the room; resolves with its infohash. */
  async share(file: Blob, name: string): Promise<string> {
    const cleanName = name.trim().slice(0, MAX_NAME_CHARS);
    if (!cleanName) throw new FileSharingError('the file has no name');
    if (file.size === 0) throw new FileSharingError('the file is empty');
    if (file.size > MAX_FILE_BYTES) throw new FileSharingError(`the file is ${file.size} bytes; at most ${MAX_FILE_BYTES} bytes (50 MiB) can be shared`);
    if (this.shared.size >= MAX_LISTED) throw new FileSharingError(`at most ${MAX_LISTED} files can be shared at once: stop sharing one first`);
    const transfer = await (await this.loadEngine()).seed(file, cleanName);
    if (this.shared.has(transfer.infoHash)) return transfer.infoHash;
    this.shared.set(transfer.infoHash, { file: { ih: transfer.infoHash, name: cleanName, size: file.size }, transfer });
    this.publish();
    return transfer.infoHash;
  }

  stopSharing(ih: string): void {
    const entry = this.shared.get(ih);
    if (!entry) return;
    this.shared.delete(ih);
    entry.transfer.destroy();
    this.publish();
  }

  /** Starts fetching `ih` (40 hex digits); the snapshot shows its progress. */
  async download(ih: string): Promise<void> {
    const infoHash = ih.trim().toLowerCase();
    if (!INFO_HASH.test(infoHash)) throw new FileSharingError('not an infohash: it is 40 hexadecimal digits');
    if (this.shared.has(infoHash)) throw new FileSharingError('this node shares that file itself');
    const existing = this.downloads.get(infoHash);
    if (existing?.state === 'fetching' || existing?.state === 'done') return;
    if ([...this.downloads.values()].filter((d) => d.state === 'fetching').length >= MAX_DOWNLOADS) {
      throw new FileSharingError(`at most ${MAX_DOWNLOADS} downloads at once: wait for one, or cancel it`);
    }
    const listed = this.snapshot().room.find((f) => f.ih === infoHash);
    const transfer = (await this.loadEngine()).fetch(infoHash);
    const download: Download = { transfer, state: 'fetching', error: null, timer: null };
    this.downloads.set(infoHash, download);
    const fail = (why: string): void => {
      if (download.state !== 'fetching') return;
      download.state = 'failed';
      download.error = why;
      this.timers.cancel(download.timer);
      transfer.destroy();
      this.changed();
    };
    const watchPeers = (): void => {
      this.timers.cancel(download.timer);
      download.timer = this.timers.timeout(() => {
        if (transfer.peers === 0) fail(`no peer shares this file: none answered within ${NO_PEERS_MS / 1000} s`);
        else watchPeers();
      }, NO_PEERS_MS);
    };
    watchPeers();
    transfer.onMetadata(() => {
      if (transfer.length !== null && transfer.length > MAX_FILE_BYTES) return fail(`the file is ${transfer.length} bytes, over the ${MAX_FILE_BYTES}-byte limit`);
      if (listed && transfer.length !== listed.size) return fail(`the file is ${transfer.length} bytes, not the ${listed.size} its sharer listed`);
      this.changed();
    });
    transfer.onDone(() => {
      if (download.state !== 'fetching') return;
      download.state = 'done';
      this.timers.cancel(download.timer);
      this.changed();
    });
    transfer.onError((error) => fail(errorText(error)));
    this.changed();
  }

  cancel(ih: string): void {
    const download = this.downloads.get(ih);
    if (!download || download.state !== 'fetching') return;
    download.state = 'cancelled';
    this.timers.cancel(download.timer);
    download.transfer.destroy();
    this.changed();
  }

  /** A finished download's file. */
  async downloaded(ih: string): Promise<Blob> {
    const download = this.downloads.get(ih);
    if (download?.state !== 'done') throw new FileSharingError('that file has not been downloaded');
    return download.transfer.blob();
  }

  /** Stops every transfer and listing (the node went offline). */
  stop(): void {
    this.unsubscribe();
    this.deps.board.unwatchSlots(FILES_SLOT);
    this.timers.clear();
    this.progressTimer = null;
    this.recheckTimer = null;
    for (const { transfer } of this.shared.values()) transfer.destroy();
    this.shared.clear();
    this.downloads.clear();
    this.engine?.then((engine) => engine.destroy(), () => undefined);
    this.engine = null;
    this.events.clear();
  }

  private loadEngine(): Promise<TorrentEngine> {
    this.engine ??= this.deps.loadEngine(this.deps.engineOptions).catch((error: unknown) => {
      this.engine = null;
      this.engineError = errorText(error);
      this.changed();
      throw new FileSharingError(`file sharing did not load: ${this.engineError}`);
    });
    return this.engine;
  }

  private publish(): void {
    if (this.shared.size === 0 && this.listTs === 0) return;
    this.listTs = Math.max(this.deps.clock.now(), this.listTs + 1);
    const files = [...this.shared.values()].map(({ file }) => file);
    signFileList(this.deps.identity, files, this.listTs).then(
      (record) => this.deps.board.putSlot(FILES_SLOT, this.deps.identity.nodeId, { ...record }),
      (error: unknown) => console.warn('meshdeck: the file list was not signed', error),
    );
    this.changed();
  }

  /**
   * Takes a file list heard under `nodeId`; resolves with whether it was news (rendezvous.ts, Verdict):
   * a list its writer signed, newer than the one held. Anything else (forged, stale, the list held
   * again, one whose signer's key is not known yet) is false, so that the read waits on for another.
   */
  private async heard(nodeId: string, value: unknown): Promise<boolean> {
    // This node's own list: nothing to wait for.
    if (nodeId === this.deps.identity.nodeId) return true;
    const nodeKey = this.deps.nodeKeyOf(nodeId);
    if (!nodeKey) {
      // A copy of its fields: GUN hands on one object per soul and updates it in place as writes merge.
      const copy = isRecord(value) ? { id: value.id, list: value.list, ts: value.ts, sig: value.sig } : value;
      const text = JSON.stringify(copy);
      const kept = (this.pending.get(nodeId) ?? []).filter((v) => JSON.stringify(v) !== text).concat([copy]).slice(-PENDING_PER_NODE);
      this.pending.delete(nodeId);
      this.pending.set(nodeId, kept);
      if (this.pending.size > PENDING_KEPT) this.pending.delete(this.pending.keys().next().value!);
      this.recheckTimer ??= this.timers.interval(() => this.recheckPending(), PENDING_RECHECK_MS);
      return false;
    }
    const now = this.deps.clock.now();
    const opened = await openFileList(value, nodeId, nodeKey, now);
    if (typeof opened === 'string' || now - opened.ts > LIST_FRESH_MS) return false;
    const known = this.lists.get(nodeId);
    if (known && known.ts >= opened.ts) return false;
    this.forgetStaleLists(now);
    // Genuine and newer, but no room for it: nothing better will come by waiting.
    if (!known && this.lists.size >= LISTS_KEPT && !this.makeRoomFor(nodeId)) return true;
    this.lists.set(nodeId, opened);
    this.changed();
    return true;
  }

  private forgetStaleLists(now: number): void {
    for (const [nodeId, { ts }] of this.lists) if (now - ts > LIST_FRESH_MS) this.lists.delete(nodeId);
  }

  /** For a ready peer only: drops the oldest-dated list of a node that is not one. */
  private makeRoomFor(nodeId: string): boolean {
    if (!this.deps.isPeer(nodeId)) return false;
    let oldest: [string, number] | null = null;
    for (const [id, { ts }] of this.lists) if (!this.deps.isPeer(id) && (!oldest || ts < oldest[1])) oldest = [id, ts];
    if (oldest) this.lists.delete(oldest[0]);
    return oldest !== null;
  }

  private recheckPending(): void {
    for (const [nodeId, values] of this.pending) {
      if (!this.deps.nodeKeyOf(nodeId)) continue;
      this.pending.delete(nodeId);
      for (const value of values) void this.heard(nodeId, value);
    }
    if (this.pending.size === 0 && this.recheckTimer !== null) {
      this.timers.cancel(this.recheckTimer);
      this.recheckTimer = null;
    }
  }

  private changed(): void {
    this.events.emit('files:change', undefined);
    this.followProgress();
  }

  /** A running download's progress is published every PROGRESS_MS, and only while one runs. */
  private followProgress(): void {
    const fetching = [...this.downloads.values()].some((d) => d.state === 'fetching');
    if (fetching && this.progressTimer === null) this.progressTimer = this.timers.interval(() => this.changed(), PROGRESS_MS);
    else if (!fetching && this.progressTimer !== null) {
      this.timers.cancel(this.progressTimer);
      this.progressTimer = null;
    }
  }
}
