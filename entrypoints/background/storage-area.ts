import type { Storage } from 'webextension-polyfill';
import type { ListableStore } from '../../core/controller';

/** Adapts a `storage.local`/`storage.sync` area to core's store interfaces. */
export function keyValueStore(area: Storage.StorageArea): ListableStore {
  return {
    get: async (key) => (await area.get(key))[key],
    set: (key, value) => area.set({ [key]: value }),
    remove: (key) => area.remove(key),
    async entries(prefix) {
      const all = await area.get(null);
      return Object.fromEntries(Object.entries(all).filter(([key]) => key.startsWith(prefix)));
    },
  };
}
