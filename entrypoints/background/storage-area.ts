import type { Storage } from 'webextension-polyfill';
import type { StorageArea } from '../../core/lib/storage';

/** Adapts a `storage.local`/`storage.sync` area to core's StorageArea. */
export function storageArea(area: Storage.StorageArea): StorageArea {
  return {
    get: (keys) => area.get(keys),
    set: (items) => area.set(items),
  };
}
