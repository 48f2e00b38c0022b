import type { KeyValueStore } from '../../core/identity';

export function memoryStore(initial: Record<string, unknown> = {}): KeyValueStore & { values: Map<string, unknown> } {
  const values = new Map(Object.entries(initial));
  return {
    values,
    get: async (key) => values.get(key),
    set: async (key, value) => void values.set(key, structuredClone(value)),
  };
}
