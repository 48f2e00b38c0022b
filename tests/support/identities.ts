import { loadOrCreateIdentity, Identity, type StoredIdentity } from '../../core/identity/identity';
import { memoryStore } from './memory-store';

export async function makeIdentity(): Promise<{ stored: StoredIdentity; identity: Identity }> {
  const stored = await loadOrCreateIdentity({ local: memoryStore(), sync: memoryStore() });
  return { stored, identity: await Identity.fromStored(stored) };
}
