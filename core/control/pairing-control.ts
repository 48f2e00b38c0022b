/**
 * The background's side of pairing (core/pairing/pairing-exchange.ts): the offer on show, the answer
 * to a join the node host heard, and the join the user asked for. The user key never leaves the
 * background but sealed for the browser that proved it knows the code.
 */
import type { BlockListStore } from '../blocklist/block-list-store';
import { deriveId } from '../identity/identity';
import { USER_KEY_STORAGE, type StoredUserKey } from '../identity/identity-store';
import { fromBase64Url } from '../lib/encoding';
import type { KeyValueStore } from '../lib/storage';
import type { LogLevel } from '../node/observed-state';
import { answerJoin, joinWithCode, PairingOffers, type PairingOfferView } from '../pairing/pairing-exchange';
import type { Pair } from '../session/wire';
import type { HostHandle } from './controller';
import type { ReplyValues } from './protocol';

export interface PairingControlDeps {
  host: HostHandle;
  blockList: BlockListStore;
  sync: KeyValueStore;
  now: () => number;
  nodeId(): Promise<string>;
  /** The user key or the block list changed: reload the identity and hand the node the result. */
  changed(): Promise<void>;
  report(level: LogLevel, type: string, message: string): void;
}

export class PairingControl {
  private readonly offers: PairingOffers;

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
    await this.deps.changed();
    return { userId, merged };
  }
}

