/**
 * The background's side of pairing (core/pairing/pairing-exchange.ts): the offer on show, the answer
 * to a join the node host heard, and the join the user asked for. The user key never leaves the
 * background but sealed for the browser that proved it knows the code.
 *
 * Once paired, this browser's block list is shared through the relays, sealed for the user key
 * (core/pairing/shared-list.ts), and every paired browser's list is merged here, until `Unpair`.
 */
import type { BlockListStore } from '../blocklist/block-list-store';
import { deriveId } from '../identity/identity';
import { USER_KEY_STORAGE, type StoredUserKey } from '../identity/identity-store';
import { fromBase64Url } from '../lib/encoding';
import type { KeyValueStore } from '../lib/storage';
import type { LogLevel } from '../node/observed-state';
import { answerJoin, joinWithCode, PairingOffers, type PairingOfferView } from '../pairing/pairing-exchange';
import { openList, sealList, sharedListKeys, type SharedListKeys } from '../pairing/shared-list';
import { encodeEntries, type BlockEntry } from '../blocklist/block-list';
import type { Pair } from '../session/wire';
import type { HostHandle } from './controller';
import type { ReplyValues } from './protocol';

export interface PairingControlDeps {
  host: HostHandle;
  blockList: BlockListStore;
  sync: KeyValueStore;
  now: () => number;
  nodeId(): Promise<string>;
  local: KeyValueStore;
  /** The user key or the block list changed: reload the identity and hand the node the result. */
  changed(): Promise<void>;
  /** The block list changed (merged from a paired browser): hand the node the result. */
  listChanged(): Promise<void>;
  report(level: LogLevel, type: string, message: string): void;
}

/** In storage.local: since when this browser is paired (its block list shared through the relays). */
export const PAIRED_STORAGE = 'meshdeck:paired';

export class PairingControl {
  private readonly offers: PairingOffers;
  /** Derived from the user key (PBKDF-free, but a few WebCrypto calls): kept while the key stays. */
  private keys: { pub: string; keys: Promise<SharedListKeys> } | null = null;
  /** The last sealed list and what it sealed: sealed again only when the entries change. */
  private sealed: { text: string; value: Awaited<ReturnType<typeof sealList>> } | null = null;

  constructor(private readonly deps: PairingControlDeps) {
    this.offers = new PairingOffers(deps.now);
  }

  async offer(): Promise<PairingOfferView> {
    return this.offers.create(await this.deps.nodeId());
  }

  cancel(): void {
    this.offers.cancel();
  }

  async heard(heard: { nodeId: string; binding: string; message: Pair }): Promise<Pair> {
    const { blockList, sync } = this.deps;
    const { reply, paired } = await answerJoin(this.offers, heard, heard.message, {
      userKey: async () => (await sync.get(USER_KEY_STORAGE)) as StoredUserKey,
      entries: () => blockList.all(),
      merge: (entries) => blockList.mergeFrom(entries),
    });
    if (paired) {
      this.deps.report('info', 'pairing', `paired with ${heard.nodeId}: it now has this browser's user key and the merged block list`);
      await this.markPaired();
      await this.deps.changed();
    } else {
      this.deps.report('warn', 'pairing', `refused a pairing attempt from ${heard.nodeId} (no live code, or a wrong one: the code is spent)`);
    }
    return reply;
  }

  async join(code: string): Promise<ReplyValues['pairing:join']> {
    const { host, blockList, sync } = this.deps;
    await host.ensure();
    const result = await joinWithCode(code, {
      connect: (nodePrefix) => host.request({ type: 'pair:connect', nodePrefix }),
      exchange: (nodeId, message) => host.request({ type: 'pair:exchange', nodeId, message }),
      entries: () => blockList.all(),
    });
    const merged = await blockList.mergeFrom(result.entries);
    const ours = (await sync.get(USER_KEY_STORAGE)) as StoredUserKey | undefined;
    const userId = await deriveId('u', fromBase64Url(result.userKey.pub));
    if (ours?.pub !== result.userKey.pub) await sync.set(USER_KEY_STORAGE, { ...result.userKey, pairedAt: this.deps.now() } satisfies StoredUserKey);
    this.deps.report('info', 'pairing', `joined ${result.offeringNodeId}: this browser is now user ${userId}; ${merged} block list entries changed here`);
    await this.markPaired();
    await this.deps.changed();
    return { userId, merged };
  }

  async state(): Promise<ReplyValues['pairing:state']> {
    const since = (await this.deps.local.get(PAIRED_STORAGE)) as { since?: unknown } | undefined;
    return typeof since?.since === 'number' ? { paired: true, since: since.since } : { paired: false, since: null };
  }

  async unpair(): Promise<ReplyValues['pairing:unpair']> {
    await this.deps.local.set(PAIRED_STORAGE, null);
    this.sealed = null;
    this.deps.report('info', 'pairing', 'unpaired: this browser no longer shares its block list through the relays');
    await this.deps.changed();
    return this.state();
  }

  private async markPaired(): Promise<void> {
    await this.deps.local.set(PAIRED_STORAGE, { since: this.deps.now() });
  }

  /** The channel and this browser's sealed list for the node host, or null when not paired. */
  async shared(nodeId: string, entries: BlockEntry[]): Promise<{ channel: string; value: Awaited<ReturnType<typeof sealList>> } | null> {
    if (!(await this.state()).paired) return null;
    const keys = await this.keysNow();
    if (!keys) return null;
    const text = `${nodeId} ${JSON.stringify(encodeEntries(entries))}`;
    if (this.sealed?.text !== text) this.sealed = { text, value: await sealList(keys, nodeId, entries, this.deps.now()) };
    return { channel: keys.channel, value: this.sealed.value };
  }

  /** Merges another paired browser's list heard on the channel; anything not sealed by the user key is dropped. */
  async listHeard(value: unknown, ownNodeId: string): Promise<void> {
    if (!(await this.state()).paired) return;
    const keys = await this.keysNow();
    const list = keys && (await openList(keys, value));
    if (!list || list.from === ownNodeId) return;
    const changed = await this.deps.blockList.mergeFrom(list.entries);
    if (changed === 0) return;
    this.deps.report('info', 'pairing', `${changed} block list ${changed === 1 ? 'entry' : 'entries'} from paired browser ${list.from}`);
    await this.deps.listChanged();
  }

  private async keysNow(): Promise<SharedListKeys | null> {
    const userKey = (await this.deps.sync.get(USER_KEY_STORAGE)) as StoredUserKey | undefined;
    if (!userKey?.pub) return null;
    if (this.keys?.pub !== userKey.pub) {
      this.keys = { pub: userKey.pub, keys: sharedListKeys(userKey) };
      this.sealed = null;
    }
    return this.keys.keys;
  }
}

