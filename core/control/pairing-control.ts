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
import type { LogLevel } from '../lib/event-log';
import { answerJoin, joinWithCode, PairingOffers, type PairingOfferView } from '../pairing/pairing-exchange';
import { listDateRefusal, openList, sealList, sharedListKeys, type SharedListKeys } from '../pairing/shared-list';
import { MAX_SHARED_LIST_CHARS } from '../discovery/graph-families';
import { SerialQueue } from '../lib/serial-queue';
import { encodeEntries, type BlockEntry } from '../blocklist/block-list';
import type { Pair } from '../session/wire';
import type { HostHandle } from './host-handle';
import type { ReplyValues } from './protocol';

interface PairingControlDeps {
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
/**
 * In storage.local, beside PAIRED_STORAGE: the date (`at`) of the newest shared list taken from each
 * paired browser, `{ [nodeId]: at }`, so that an older one is refused after a restart of the
 * background too (an MV3 service worker is stopped whenever idle). Kept across Unpair: dates of a
 * node only grow, whichever key sealed them.
 */
export const SHARED_HEARD_STORAGE = 'meshdeck:shared-heard';
/** Browsers remembered in SHARED_HEARD_STORAGE: a user's own, so a few; past this the longest silent are forgotten. */
export const SHARED_SENDERS_KEPT = 64;

export class PairingControl {
  private readonly offers: PairingOffers;
  /** Derived from the user key (PBKDF-free, but a few WebCrypto calls): kept while the key stays. */
  private keys: { pub: string; keys: Promise<SharedListKeys> } | null = null;
  /** The last sealed list and what it sealed: sealed again only when the entries change. */
  private sealed: { text: string; value: Awaited<ReturnType<typeof sealList>> } | null = null;
  /** Lists heard are judged and merged one at a time: each reads and moves the newest date of its sender. */
  private readonly hearing = new SerialQueue();

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
      this.deps.report('warn', 'pairing', `refused a pairing attempt from ${heard.nodeId} (no live code, a wrong or malformed one, the code's attempts used up, or this connection's spent)`);
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
    if (this.sealed?.text !== text) {
      // Dates only move forward (readers refuse an older list than the last they took), even if the
      // clock stepped back since the last seal.
      const at = Math.max(this.deps.now(), (this.sealed?.value.at ?? 0) + 1);
      this.sealed = { text, value: await sealList(keys, nodeId, entries, at) };
    }
    // Relays and readers refuse a larger sealed list (graph-families.ts): not written at all, rather than refused.
    if (this.sealed.value.box.length > MAX_SHARED_LIST_CHARS) return null;
    return { channel: keys.channel, value: this.sealed.value };
  }

  /**
   * Merges another paired browser's list heard on the channel; anything not sealed by the user key is
   * dropped, and so is a list dated ahead or older than the newest taken from its sender. Resolves
   * with whether the value was news (rendezvous.ts, Verdict): a list sealed by the user key, newer than
   * the last taken from its sender. Anything else is false, so that the read waits on for another.
   */
  listHeard(value: unknown, ownNodeId: string): Promise<boolean> {
    return this.hearing.run(async () => {
      if (!(await this.state()).paired) return false;
      const keys = await this.keysNow();
      if (!keys) return false;
      const list = await openList(keys, value);
      if (!list) return false;
      // This browser's own list: nothing to wait for.
      if (list.from === ownNodeId) return true;
      const newest = await this.newestHeard();
      // The list taken last, heard again: no news, and nothing to merge.
      if (newest[list.from] === list.at) return false;
      const refusal = listDateRefusal(list.at, newest[list.from], this.deps.now());
      if (refusal) {
        // Debug: relays deliver a value again as they sync, so a replay may come by often.
        this.deps.report('debug', 'pairing', `a block list from paired browser ${list.from} was not merged: ${refusal}`);
        return false;
      }
      const changed = await this.deps.blockList.mergeFrom(list.entries);
      await this.rememberHeard(newest, list.from, list.at);
      if (changed === 0) return true;
      this.deps.report('info', 'pairing', `${changed} block list ${changed === 1 ? 'entry' : 'entries'} from paired browser ${list.from}`);
      await this.deps.listChanged();
      return true;
    });
  }

  /** SHARED_HEARD_STORAGE as stored; anything malformed in it counts as not heard. */
  private async newestHeard(): Promise<Record<string, number>> {
    const stored = await this.deps.local.get(SHARED_HEARD_STORAGE);
    if (typeof stored !== 'object' || stored === null) return {};
    return Object.fromEntries(Object.entries(stored).filter((pair): pair is [string, number] => Number.isFinite(pair[1])));
  }

  private async rememberHeard(newest: Record<string, number>, from: string, at: number): Promise<void> {
    if ((newest[from] ?? -Infinity) >= at) return;
    const kept = Object.entries({ ...newest, [from]: at })
      .sort((a, b) => b[1] - a[1])
      .slice(0, SHARED_SENDERS_KEPT);
    await this.deps.local.set(SHARED_HEARD_STORAGE, Object.fromEntries(kept));
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

