/**
 * Makes a rename or link inside a directory durable. A file's own fsync covers its contents, not the
 * directory entry naming it: after a power cut the new name may be gone, so the lists would go back
 * to an older version and, worse, a fresh identity file would vanish and the next start would mint a
 * new node ID without a word (issue 23, item 11). fsync(2) on the directory, opened read-only, writes
 * the entry down.
 */
import { constants } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Codes meaning "this system cannot fsync a directory", not "the sync failed": EINVAL and ENOTSUP
 * from file systems without directory fsync (some FUSE, network and virtual ones), EISDIR and EPERM
 * where a directory cannot be opened as a file at all (Windows). There is nothing more to do there;
 * any other failure is thrown.
 */
const UNSUPPORTED = new Set(['EINVAL', 'ENOTSUP', 'EISDIR', 'EPERM']);

/** Flushes the entries of directory `dir` to disk. Call after a rename or link into it. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (error) {
    if (UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Makes directory `dir` (and any missing parents) with `mode`, durably: a directory made here is an
 * entry in its parent, lost in a power cut like any other until the parent is synced. `dir` itself is
 * left for the caller to sync after it renames or links the file into it.
 */
export async function makeDirectory(dir: string, mode: number): Promise<void> {
  // The folders to be made, found before mkdir makes them: mkdir's own answer (the first one it made)
  // is neither always an ancestor of `dir` as resolved (`p/../q/r` answers `p`) nor in the same form
  // (Windows answers `\\?\C:\…`), and climbing until it matched never ended.
  const missing: string[] = [];
  for (let at = path.resolve(dir); !(await exists(at)); at = path.dirname(at)) {
    missing.push(at);
    if (path.dirname(at) === at) break;
  }
  await mkdir(dir, { recursive: true, mode });
  // Each directory made, from the top one down, is named in its parent.
  for (const made of missing.reverse()) await syncDirectory(path.dirname(made));
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
