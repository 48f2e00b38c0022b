/**
 * The background's hold on this browser's identity: loads it once at a time (minting it on first run),
 * forgets it when the keys may have changed, and settles two user keys that met in storage.sync.
 */
import { deriveId, isStoredKeyPair, type StoredIdentity } from '../identity/identity';
import { loadOrCreateIdentity, keptUserKey, USER_KEY_STORAGE, type StoredUserKey, type SyncArrivals } from '../identity/identity-store';
import type { NodeKeyStore } from '../identity/node-key-store';
import type { LogLevel } from '../lib/event-log';
import { fromBase64Url } from '../lib/encoding';
import { SerialQueue } from '../lib/serial-queue';
import type { KeyValueStore } from '../lib/storage';

interface IdentityKeeperDeps {
  local: KeyValueStore;
  sync: KeyValueStore;
  /** Where the node key lives (shared with the node host). */
  keys: NodeKeyStore;
  arrivals?: SyncArrivals;
  now: () => number;
  report(level: LogLevel, type: string, message: string): void;
}

export class IdentityKeeper {
  /**
   * One identity load at a time: on first run the host's boot request and the start-up push both ask
   * for the identity, and two concurrent loads would each mint a key pair (the node ID would change
   * under the user's feet).
   */
  private identity: Promise<StoredIdentity> | null = null;
  private readonly loads = new SerialQueue();

  constructor(private readonly deps: IdentityKeeperDeps) {}

  load(): Promise<StoredIdentity> {
    // Queued, not only memoized: the memo is dropped when the user key changes, and on first run that
    // happens during the very load that minted it (its storage.sync write is heard back). Two loads at
    // once would each mint a node key, and the host would hold one while the other is certified.
    const { local, sync, keys, arrivals, now } = this.deps;
    this.identity ??= this.loads.run(() => loadOrCreateIdentity({ local, sync, keys, arrivals, now })).catch((error: unknown) => {
      this.identity = null;
      throw error;
    });
    return this.identity;
  }

  /** The keys may have changed (pairing, a refused configuration): the next load reads them again. */
  forget(): void {
    this.identity = null;
  }

  async nodeId(): Promise<string> {
    return deriveId('n', fromBase64Url((await this.load()).node.pub));
  }

  /**
   * Another browser's user key replaced ours in storage.sync (sync keeps the last write), or pairing
   * did. Two keys met: keptUserKey picks the same one on every browser. If ours wins it is written
   * back; either way this node is re-certified under the winner.
   */
  async settleUserKey(ours: unknown, theirs: unknown): Promise<void> {
    this.identity = null;
    if (!isStoredKeyPair(ours)) return;
    if (!isStoredKeyPair(theirs)) {
      await this.deps.sync.set(USER_KEY_STORAGE, ours);
      this.deps.report('warn', 'background:identity', 'the user key was removed from sync: it was written back');
      return;
    }
    if (ours.pub === theirs.pub) return;
    const winner = keptUserKey(ours as StoredUserKey, theirs as StoredUserKey);
    const winnerId = await deriveId('u', fromBase64Url(winner.pub));
    if (winner === ours) {
      await this.deps.sync.set(USER_KEY_STORAGE, ours);
      this.deps.report('info', 'background:identity', `two user keys met: kept this browser's (${winnerId}) and wrote it back to sync`);
    } else {
      this.deps.report('info', 'background:identity', `two user keys met: this node is re-certified under ${winnerId}`);
    }
  }
}
