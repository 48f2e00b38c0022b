/**
 * Where meshdeck-node keeps its block and trust lists: the two storage areas the controller expects
 * (storage.sync and storage.local in a browser), in memory, with the lists' items written to one
 * JSON file after every change that touches them. Everything else the controller stores (settings,
 * history, the identity's entries) lives as long as the process: settings come from the config file
 * and flags at every start, the identity from its own file.
 *
 * The file is replaced atomically (a 0600 temporary file renamed over it), so a crash leaves the old
 * lists or the new ones, never half of either. Format: { "version": 1, "sync": {…}, "local": {…} }.
 */
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isIdListKey } from '../../core/blocklist/block-list';
import type { StorageArea } from '../../core/lib/storage';
import { SerialQueue } from '../../core/lib/serial-queue';
import { errorText } from '../../core/lib/error-text';

export const LISTS_FILE_VERSION = 1;
const LISTS_FILE_MODE = 0o600;

export class ListsFileError extends Error {
  override name = 'ListsFileError';
}

type AreaName = 'sync' | 'local';

export interface ListsFileAreas {
  sync: StorageArea;
  local: StorageArea;
  /** Resolves once every write begun so far is on disk. */
  flushed(): Promise<void>;
}

/** The areas over `file` (read now when it exists), holding `seeds` in memory beside what it holds. */
export async function openListsFile(file: string, seeds: Partial<Record<AreaName, Record<string, unknown>>> = {}): Promise<ListsFileAreas> {
  const stored = await readListsFile(file);
  const values: Record<AreaName, Map<string, unknown>> = {
    sync: new Map(Object.entries({ ...seeds.sync, ...stored.sync })),
    local: new Map(Object.entries({ ...seeds.local, ...stored.local })),
  };
  const writes = new SerialQueue();
  let last: Promise<void> = Promise.resolve();

  const persisted = (area: AreaName): Record<string, unknown> =>
    Object.fromEntries([...values[area]].filter(([key]) => isIdListKey(key)));

  const area = (name: AreaName): StorageArea => ({
    async get(keys) {
      const wanted = keys ?? [...values[name].keys()];
      const out: Record<string, unknown> = {};
      for (const key of wanted) if (values[name].has(key)) out[key] = structuredClone(values[name].get(key));
      return out;
    },
    async set(items) {
      for (const [key, value] of Object.entries(items)) values[name].set(key, structuredClone(value));
      if (!Object.keys(items).some(isIdListKey)) return;
      const text = JSON.stringify({ version: LISTS_FILE_VERSION, sync: persisted('sync'), local: persisted('local') }, null, 2) + '\n';
      last = writes.run(() => replaceFile(file, text));
      await last;
    },
  });
  return { sync: area('sync'), local: area('local'), flushed: () => last.catch(() => undefined) };
}

async function readListsFile(file: string): Promise<Record<AreaName, Record<string, unknown>>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { sync: {}, local: {} };
    throw new ListsFileError(`cannot read the lists file ${file}: ${errorText(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ListsFileError(`the lists file ${file} is not valid JSON: ${errorText(error)}`);
  }
  const v = parsed as { version?: unknown; sync?: unknown; local?: unknown } | null;
  if (typeof v !== 'object' || v === null || v.version !== LISTS_FILE_VERSION) throw new ListsFileError(`the lists file ${file} is not a version ${LISTS_FILE_VERSION} lists file`);
  const only = (items: unknown) => (typeof items === 'object' && items !== null ? Object.fromEntries(Object.entries(items).filter(([key]) => isIdListKey(key))) : {});
  return { sync: only(v.sync), local: only(v.local) };
}

async function replaceFile(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, LISTS_FILE_MODE);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
