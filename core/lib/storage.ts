/** The storage areas core uses, as small interfaces the hosts implement (browser.storage.local/sync). */

/** One area (local or sync): whole-item reads and writes, as the WebExtension storage API does them. */
export interface StorageArea {
  /** The items of `keys` (all items for null); missing keys are absent from the result. */
  get(keys: string[] | null): Promise<Record<string, unknown>>;
  /** Writes every item in one operation (storage.sync counts one write). */
  set(items: Record<string, unknown>): Promise<void>;
}

/** A single-key view of an area, for values kept under one key (identity, settings, history). */
export interface KeyValueStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

export function keyValueStore(area: StorageArea): KeyValueStore {
  return {
    get: async (key) => (await area.get([key]))[key],
    set: (key, value) => area.set({ [key]: value }),
  };
}

/** A store that lives only as long as the process: identities of demo and test peers in Node. */
export function memoryKeyValueStore(): KeyValueStore & { values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  return { values, get: async (key) => values.get(key), set: async (key, value) => void values.set(key, structuredClone(value)) };
}
