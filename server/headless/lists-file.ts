/**
 * Where meshdeck-node keeps its block and trust lists: the two storage areas the controller expects
 * (storage.sync and storage.local in a browser), in memory, with the lists' items written to one
 * JSON file after every change that touches them. Everything else the controller stores (history,
 * the identity's entries) lives as long as the process, but for the settings the dashboard changed,
 * which the state file keeps (state-file.ts), and the identity, which lives in its own file.
 *
 * The file is replaced atomically and read with care (server/private-file.ts): a crash leaves the old lists
 * or the new ones, never half of either. Format: { "version": 1, "sync": {…}, "local": {…} }.
 */
import { isIdListKey } from '../../core/blocklist/block-list';
import type { StorageArea } from '../../core/lib/storage';
import { SerialQueue } from '../../core/lib/serial-queue';
import { errorText } from '../../core/lib/error-text';
import { PrivateFileError, readPrivateFile, replacePrivateFile } from '../private-file';

const LISTS_FILE_VERSION = 1;
/** Far above any real lists (an import takes at most 5,000 entries of about 300 bytes), yet bounded. */
const LISTS_FILE_MAX_BYTES = 64 * 1024 * 1024;

export class ListsFileError extends Error {
  override name = 'ListsFileError';
}

type AreaName = 'sync' | 'local';

interface ListsFileAreas {
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
      last = writes.run(() => replacePrivateFile(file, text));
      await last;
    },
  });
  return { sync: area('sync'), local: area('local'), flushed: () => last.catch(() => undefined) };
}

async function readListsFile(file: string): Promise<Record<AreaName, Record<string, unknown>>> {
  let text: string | null;
  try {
    text = await readPrivateFile(file, LISTS_FILE_MAX_BYTES);
  } catch (error) {
    throw new ListsFileError(`the lists file ${file} ${error instanceof PrivateFileError ? error.message : `cannot be read: ${errorText(error)}`}`);
  }
  if (text === null) return { sync: {}, local: {} };
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
