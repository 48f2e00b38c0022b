import type { ListableStore } from '../../core/controller';

/** An in-memory storage area (storage.local/sync stand-in) that counts writes. */
export function memoryStore(initial: Record<string, unknown> = {}): ListableStore & { values: Map<string, unknown>; writes: number } {
  const values = new Map(Object.entries(initial));
  const store = {
    values,
    writes: 0,
    get: async (key: string) => values.get(key),
    set: async (key: string, value: unknown) => {
      store.writes++;
      values.set(key, structuredClone(value));
    },
    remove: async (key: string) => {
      store.writes++;
      values.delete(key);
    },
    entries: async (prefix: string) => Object.fromEntries([...values].filter(([key]) => key.startsWith(prefix))),
  };
  return store;
}
