/**
 * The dashboard's file actions, done by the node host: a file to share comes through the hand-off store
 * (a page cannot send a Blob in a runtime message), and a finished download goes back through it.
 */
import type { BlobStore } from '../files/blob-store';
import { FileSharingError, type FileSharing } from '../files/file-sharing';
import type { NodeAction } from '../control/protocol';

type FileAction = Extract<NodeAction, { type: `files:${string}` }>;

/** Does `action` with the node's file sharing (null offline) and the hand-off store; its reply. */
export async function doFileAction(files: FileSharing | null, blobs: BlobStore | undefined, action: FileAction): Promise<unknown> {
  if (!files || !blobs) throw new FileSharingError('file sharing is not available while the node is offline');
  switch (action.type) {
    case 'files:share': {
      const blob = await blobs.take(action.blobKey);
      if (!blob) throw new FileSharingError('the file did not reach the node host: choose it again');
      return { ih: await files.share(blob, action.name) };
    }
    case 'files:stop':
      files.stopSharing(action.ih);
      return null;
    case 'files:download':
      await files.download(action.ih);
      return null;
    case 'files:cancel':
      files.cancel(action.ih);
      return null;
    case 'files:save': {
      const blob = await files.downloaded(action.ih);
      const blobKey = `download:${action.ih}`;
      await blobs.put(blobKey, blob);
      return { blobKey, name: files.snapshot().downloads.find((d) => d.ih === action.ih)?.name ?? action.ih };
    }
  }
}
