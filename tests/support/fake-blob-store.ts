/** A hand-off store (core/files/blob-store.ts) whose entries a test can see. */
import type { BlobStore } from '../../core/files/blob-store';

export function fakeBlobStore() {
  const held = new Map<string, Blob>();
  const store: BlobStore = {
    put: async (key, blob) => void held.set(key, blob),
    take: async (key) => {
      const blob = held.get(key);
      held.delete(key);
      return blob;
    },
    delete: async (key) => void held.delete(key),
    clear: async () => held.clear(),
  };
  return { store, held };
}
