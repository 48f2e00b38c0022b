/** Values arriving through storage.sync, as core's SyncArrivals: a wait on storage.onChanged with a deadline. */
import browser from 'webextension-polyfill';
import type { SyncArrivals } from '../../core/identity/identity-store';

export function syncArrivals(): SyncArrivals {
  return {
    waitFor: (key, ms) =>
      new Promise((resolve) => {
        const done = (value: unknown) => {
          clearTimeout(timer);
          browser.storage.onChanged.removeListener(onChanged);
          resolve(value);
        };
        const onChanged = (changes: Record<string, browser.Storage.StorageChange>, area: string) => {
          if (area === 'sync' && changes[key]?.newValue !== undefined) done(changes[key].newValue);
        };
        const timer = setTimeout(() => done(undefined), ms);
        browser.storage.onChanged.addListener(onChanged);
      }),
  };
}
