/**
 * The `Files` panel's state and actions: share a file with the room, see what the room shares (with
 * size and who shares it), download with progress, save, cancel, stop sharing. The file itself goes
 * to the node host through the hand-off store (core/files/blob-store.ts); the host holds the torrents.
 */
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import type { BlobStore } from '../../../core/files/blob-store';
import type { DownloadSnapshot, FilesSnapshot, RoomFileSnapshot, SharedFileSnapshot } from '../../../core/files/file-sharing';
import { runAction, type ActionStatus } from '../../ui/action-status';
import { formatBytes, formatLimit, shortId } from '../../ui/format';
import type { ViewClient } from '../../client/view-client';
import type { NodeModel } from '../../client/node-model';

export type SaveBlob = (filename: string, blob: Blob) => void;

export interface RoomFileRow extends RoomFileSnapshot {
  /** This node's download of it, if any. */
  download: DownloadSnapshot | null;
}

export interface FilesModel {
  /** Null while the node is offline (or before its first snapshot). */
  readonly available: ReadonlySignal<boolean>;
  readonly limitBytes: ReadonlySignal<number | null>;
  readonly shared: ReadonlySignal<readonly SharedFileSnapshot[]>;
  readonly room: ReadonlySignal<readonly RoomFileRow[]>;
  /** Downloads of files no longer listed in the room. */
  readonly otherDownloads: ReadonlySignal<readonly DownloadSnapshot[]>;
  readonly status: ReadonlySignal<ActionStatus | null>;
  share(file: File): Promise<void>;
  stopSharing(ih: string): Promise<void>;
  download(ih: string): Promise<void>;
  cancel(ih: string): Promise<void>;
  save(ih: string): Promise<void>;
  dispose(): void;
}

interface FilesModelOptions {
  blobs: BlobStore;
  save: SaveBlob;
}

export function createFilesModel(node: Pick<NodeModel, 'snapshot'>, client: Pick<ViewClient, 'request'>, { blobs, save }: FilesModelOptions): FilesModel {
  const status = signal<ActionStatus | null>(null);
  const scope = new AbortController();
  const files = computed<FilesSnapshot | null>(() => node.snapshot.value?.files ?? null);
  const downloads = computed(() => files.value?.downloads ?? []);
  const room = computed(() => (files.value?.room ?? []).map((file) => ({ ...file, download: downloads.value.find((d) => d.ih === file.ih) ?? null })));
  const act = <T>(action: string, pending: string, done: (value: T) => string, request: () => Promise<T>) =>
    runAction(status, { action, pending, done, signal: scope.signal }, request);
  const nameOf = (ih: string) => room.peek().find((f) => f.ih === ih)?.name ?? downloads.peek().find((d) => d.ih === ih)?.name ?? shortId(ih);
  return {
    available: computed(() => files.value !== null),
    limitBytes: computed(() => files.value?.limitBytes ?? null),
    shared: computed(() => files.value?.shared ?? []),
    room,
    otherDownloads: computed(() => downloads.value.filter((d) => !room.value.some((f) => f.ih === d.ih))),
    status,
    async share(file) {
      const limit = files.peek()?.limitBytes;
      if (limit !== undefined && file.size > limit) {
        status.value = { kind: 'error', text: `Could not share ${file.name}: it is ${formatBytes(file.size)}, and at most ${formatLimit(limit)} can be shared.` };
        return;
      }
      const blobKey = `share:${crypto.randomUUID()}`;
      await act(`share ${file.name}`, `Sharing ${file.name}…`, () => `Sharing ${file.name} with the room.`, async () => {
        // The entry is this page's until the host takes it. Whatever the reply (node offline, request
        // failed or aborted), it goes: a retry puts a new one, and none may stay (issue 23, item 9).
        try {
          await blobs.put(blobKey, file);
          return await client.request({ type: 'files:share', blobKey, name: file.name }, { signal: scope.signal });
        } finally {
          // A delete that fails must not turn a share into an error: the host's sweep at its next start
          // takes what is left.
          await blobs.delete(blobKey).catch(() => undefined);
        }
      });
    },
    async stopSharing(ih) {
      const name = nameOf(ih);
      const shared = files.peek()?.shared.find((f) => f.ih === ih)?.name ?? name;
      await act(`stop sharing ${shared}`, `Stopping sharing ${shared}…`, () => `No longer sharing ${shared}.`, () => client.request({ type: 'files:stop', ih }, { signal: scope.signal }));
    },
    async download(ih) {
      const name = nameOf(ih);
      await act(`download ${name}`, `Looking for ${name} in the room…`, () => `Downloading ${name}.`, () => client.request({ type: 'files:download', ih }, { signal: scope.signal }));
    },
    async cancel(ih) {
      const name = nameOf(ih);
      await act(`cancel ${name}`, `Cancelling ${name}…`, () => `Download of ${name} cancelled.`, () => client.request({ type: 'files:cancel', ih }, { signal: scope.signal }));
    },
    async save(ih) {
      const name = nameOf(ih);
      await act(`save ${name}`, `Saving ${name}…`, (saved: string) => `Saved ${saved}.`, async () => {
        const { blobKey, name: filename } = await client.request({ type: 'files:save', ih }, { signal: scope.signal });
        const blob = await blobs.take(blobKey);
        if (!blob) throw new Error('the file did not come back from the node host');
        save(filename, blob);
        return filename;
      });
    },
    dispose() {
      scope.abort();
    },
  };
}

/** Saves a blob as a download, as a browser page does. */
export const saveBlobAsDownload: SaveBlob = (filename, blob) => {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
};
