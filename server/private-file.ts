/**
 * How meshdeck-node keeps its files: read with care, written atomically, readable by their owner
 * only. The files it rewrites while it runs (the lists file, the state file) are replaced
 * (replacePrivateFile); the identity file is written once and must never be overwritten
 * (createPrivateFile). Both go through one atomic write: a temporary file, synced, then put in place.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { errorText } from '../core/lib/error-text';
import { makeDirectory, syncDirectory } from './directory-sync';

/** Owner read/write only: the state file may hold TURN credentials, the lists whom the operator watches. */
const PRIVATE_FILE_MODE = 0o600;
const READ_CHUNK_BYTES = 64 * 1024;

/** A file that is there but is not one to read: says why, in words that follow the file's name. */
export class PrivateFileError extends Error {
  override name = 'PrivateFileError';
}

/**
 * The text of `file`, or null when there is none. Refuses (PrivateFileError) a symbolic link, anything
 * but a regular file, and a file over `maxBytes`. A link is refused rather than followed because
 * replacePrivateFile renames over the link itself: reading through it would read one file and write
 * another, and the operator's link would silently become a copy.
 */
export async function readPrivateFile(file: string, maxBytes: number): Promise<string | null> {
  let handle;
  try {
    // O_NONBLOCK: a FIFO planted under the name must not hang the start.
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw new PrivateFileError('is a symbolic link: give the real file');
    throw new PrivateFileError(`cannot be read: ${errorText(error)}`);
  }
  try {
    // Checked on the open file, not the name: what is read is what was checked.
    const stats = await handle.stat();
    if (!stats.isFile()) throw new PrivateFileError('is not a regular file');
    // Written by this user alone, as the identity file is: a file another user could plant or edit
    // would steer the node (its signaling, relays, TURN credentials, trust list).
    const uid = process.getuid?.();
    if (uid !== undefined && stats.uid !== uid) throw new PrivateFileError(`belongs to user ${stats.uid}, not to this user (${uid})`);
    if ((stats.mode & 0o077) !== 0) throw new PrivateFileError(`is readable by others (mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')}): run chmod 600 ${file}`);
    if (stats.size > maxBytes) throw new PrivateFileError(`is larger than ${maxBytes} bytes`);
    // Read in chunks and counted, should the file grow after the stat.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(READ_CHUNK_BYTES, maxBytes + 1));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw new PrivateFileError(`is larger than ${maxBytes} bytes`);
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    throw error instanceof PrivateFileError ? error : new PrivateFileError(`cannot be read: ${errorText(error)}`);
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `file` with `text`, atomically: a crash leaves the old text or the new, never half of
 * either; a link at the name is replaced, never written through.
 */
export async function replacePrivateFile(file: string, text: string): Promise<void> {
  await writeAtomically(file, text, 'replace');
}

/**
 * Writes `text` to a new file `file`, atomically and without replacing one that exists: fails with
 * EEXIST if the name is taken, so two processes making the file at once agree on one of them.
 */
export async function createPrivateFile(file: string, text: string): Promise<void> {
  await writeAtomically(file, text, 'create');
}

/**
 * The one atomic write: into a new temporary file (O_EXCL, O_NOFOLLOW, mode 0600), synced, then
 * renamed over the name ('replace') or hard-linked to it ('create': link fails if the name is taken),
 * so no reader ever sees a half-written file; then the directory is synced, as the new name is only
 * in the directory's entries until they are (directory-sync.ts).
 */
async function writeAtomically(file: string, text: string, mode: 'replace' | 'create'): Promise<void> {
  const dir = path.dirname(file);
  await makeDirectory(dir, 0o700);
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, PRIVATE_FILE_MODE);
  try {
    // The umask can only narrow the mode; set it anyway in case the file system ignored it.
    await handle.chmod(PRIVATE_FILE_MODE);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (mode === 'replace') await rename(temp, file);
    else await link(temp, file);
  } finally {
    // After a rename the temporary name is gone already; after a link, or a failure, it is removed.
    await unlink(temp).catch(() => undefined);
  }
  await syncDirectory(dir);
}
