/**
 * How a file crosses between the dashboard and the node host: runtime messages carry JSON only, so the
 * page puts the file it was given in IndexedDB (the extension's one origin, shared by both) and names
 * the key, and the host puts a finished download there for the page to save. Each entry is taken
 * once: the reader deletes it. An entry must not outlive its request (issue 23, item 9): the side that
 * last owns it deletes it whatever the reply, and the node host empties the store when it starts.
 */
import { indexedDbStore } from '../lib/indexed-db';

export interface BlobStore {
  put(key: string, blob: Blob): Promise<void>;
  /** The blob under `key`, removed from the store; undefined if there is none. */
  take(key: string): Promise<Blob | undefined>;
  /**
   * Removes the entry under `key`, if there is one. Called by the side that last owns an entry once its
   * request settled, on success and failure alike.
   */
  delete(key: string): Promise<void>;
  /** Removes every entry: the node host's sweep when it starts, of entries a crash left behind. */
  clear(): Promise<void>;
}

export function indexedDbBlobStore(factory: IDBFactory): BlobStore {
  const run = indexedDbStore(factory, 'meshdeck-files', 'handoff');
  return {
    put: async (key, blob) => {
      await run('readwrite', (store) => store.put(blob, key));
    },
    // One transaction: an entry read is an entry deleted.
    take: (key) =>
      run('readwrite', (store) => {
        const read = store.get(key) as IDBRequest<Blob | undefined>;
        store.delete(key);
        return read;
      }),
    delete: async (key) => {
      await run('readwrite', (store) => store.delete(key));
    },
    clear: async () => {
      await run('readwrite', (store) => store.clear());
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
    delete: async (key) => {
      held.delete(key);
    },
    clear: async () => {
      held.clear();
    },
  };
}
