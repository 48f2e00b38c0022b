import type { Storage } from 'webextension-polyfill';
import type { KeyValueStore } from '../../core/identity';

/** Adapts a `storage.local`/`storage.sync` area to core's KeyValueStore. */
export function keyValueStore(area: Storage.StorageArea): KeyValueStore {
  return {
    get: async (key) => (await area.get(key))[key],
    set: (key, value) => area.set({ [key]: value }),
  };
}
