/**
 * Where the node key lives: a non-extractable CryptoKeyPair that the background and the node host
 * both read, so no private key ever crosses a runtime message. In the extension it is IndexedDB,
 * which the service worker, the offscreen document and Firefox's background page share (one origin)
 * and which stores CryptoKeys by structured clone without exporting them; in Node, memory.
 */
import { indexedDbStore } from '../lib/indexed-db';

export interface NodeKeyStore {
  /** The node key pair, or undefined on a profile that has none yet. */
  load(): Promise<CryptoKeyPair | undefined>;
  /**
   * Keeps `pair` unless a pair is held already, in one step; resolves with the pair held afterwards.
   * Two contexts that each found no key (two service worker starts at install) each made one, and the
   * last save replaced the key the first had certified: the host then held a key its certificate did
   * not name, and refused its configuration until the background certified again.
   */
  keepFirst(pair: CryptoKeyPair): Promise<CryptoKeyPair>;
}

export function memoryNodeKeyStore(): NodeKeyStore {
  let held: CryptoKeyPair | undefined;
  return {
    load: async () => held,
    keepFirst: async (pair) => (held ??= pair),
  };
}

const DATABASE = 'meshdeck-keys';
const STORE = 'keys';
const NODE_KEY = 'node';

export function indexedDbNodeKeyStore(factory: IDBFactory): NodeKeyStore {
  const run = indexedDbStore(factory, DATABASE, STORE);
  return {
    load: () => run('readonly', (store) => store.get(NODE_KEY) as IDBRequest<CryptoKeyPair | undefined>),
    keepFirst: async (pair) => {
      try {
        // add(), not put(): it fails when the key is there, in the same transaction that would write it.
        await run('readwrite', (store) => store.add(pair, NODE_KEY));
        return pair;
      } catch (error) {
        if ((error as { name?: unknown } | null)?.name !== 'ConstraintError') throw error;
        const held = await run('readonly', (store) => store.get(NODE_KEY) as IDBRequest<CryptoKeyPair | undefined>);
        if (!held) throw error;
        return held;
      }
    },
  };
}
