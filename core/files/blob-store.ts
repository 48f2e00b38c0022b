/**
 * How a file crosses between the dashboard and the node host: runtime messages carry JSON only, so the
 * page puts the file it was given in IndexedDB (the extension's one origin, shared by both) and names
 * the key, and the host puts a finished download there for the page to save. Each entry is taken
 * once: the reader deletes it.
 */
import { indexedDbStore } from '../lib/indexed-db';

export interface BlobStore {
  put(key: string, blob: Blob): Promise<void>;
  /** The blob under `key`, removed from the store; undefined if there is none. */
  take(key: string): Promise<Blob | undefined>;
}

export function indexedDbBlobStore(factory: IDBFactory): BlobStore {
  const run = indexedDbStore(factory, 'meshdeck-files', 'handoff');
  return {
    put: async (key, blob) => {
      await run('readwrite', (store) => store.put(blob, key));
    },
    take: async (key) => {
      const blob = await run('readonly', (store) => store.get(key) as IDBRequest<Blob | undefined>);
      await run('readwrite', (store) => store.delete(key));
      return blob;
    },
  };
}

/** In memory: for views and tests outside the extension. */
export function memoryBlobStore(): BlobStore {
  const held = new Map<string, Blob>();
  return {
    put: async (key, blob) => {
      held.set(key, blob);
    },
    take: async (key) => {
      const blob = held.get(key);
      held.delete(key);
      return blob;
    },
  };
}
