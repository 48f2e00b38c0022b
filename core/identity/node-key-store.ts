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
  save(pair: CryptoKeyPair): Promise<void>;
}

export function memoryNodeKeyStore(): NodeKeyStore {
  let held: CryptoKeyPair | undefined;
  return {
    load: async () => held,
    save: async (pair) => {
      held = pair;
    },
  };
}

const DATABASE = 'meshdeck-keys';
const STORE = 'keys';
const NODE_KEY = 'node';

export function indexedDbNodeKeyStore(factory: IDBFactory): NodeKeyStore {
  const run = indexedDbStore(factory, DATABASE, STORE);
  return {
    load: () => run('readonly', (store) => store.get(NODE_KEY) as IDBRequest<CryptoKeyPair | undefined>),
    save: async (pair) => {
      await run('readwrite', (store) => store.put(pair, NODE_KEY));
    },
  };
}
