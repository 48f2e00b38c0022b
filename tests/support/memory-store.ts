import type { StorageArea } from '../../core/lib/storage';

/**
 * An in-memory storage area (storage.local/sync stand-in): whole-item reads and writes, `writes`
 * counting set() calls as storage.sync counts write operations, and change listeners like onChanged.
 */
export function memoryArea(shared: Map<string, unknown> = new Map()) {
  type Changes = Record<string, { oldValue?: unknown; newValue?: unknown }>;
  const area: StorageArea & { writes: number; data: Map<string, unknown>; onChanged: ((changes: Changes) => void)[] } = {
    writes: 0,
    data: shared,
    onChanged: [],
    async get(keys) {
      const picked = keys === null ? [...shared.keys()] : keys;
      return Object.fromEntries(picked.filter((k) => shared.has(k)).map((k) => [k, structuredClone(shared.get(k))]));
    },
    async set(items) {
      area.writes++;
      const changes: Changes = {};
      for (const [key, value] of Object.entries(items)) {
        changes[key] = { oldValue: shared.get(key), newValue: value };
        shared.set(key, structuredClone(value));
      }
      for (const listener of area.onChanged) listener(changes);
    },
  };
  return area;
}

export { memoryKeyValueStore as memoryStore } from '../../core/lib/storage';
