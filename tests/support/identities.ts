import { Identity, type StoredIdentity } from '../../core/identity/identity';
import { loadOrCreateIdentity } from '../../core/identity/identity-store';
import { memoryNodeKeyStore, type NodeKeyStore } from '../../core/identity/node-key-store';
import { memoryStore } from './memory-store';

/** A fresh node of a fresh user, as the background would make it, with its node key held in memory. */
export async function makeIdentity(): Promise<{ stored: StoredIdentity; identity: Identity; keys: NodeKeyStore }> {
  const keys = memoryNodeKeyStore();
  const stored = await loadOrCreateIdentity({ local: memoryStore(), sync: memoryStore(), keys });
  return { stored, identity: await Identity.fromStored(stored, keys), keys };
}
