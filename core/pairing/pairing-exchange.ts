/**
 * Both halves of a pairing (docs/protocol.md, Pairing), on the background's side, which alone holds the
 * user key. The node host only carries the messages: it never sees the secret, the user key or the
 * block list in the clear.
 *
 *   joiner                                   offerer (shows the code)
 *     connect to the node the code names
 *     join {proof_join, box_join(entries)} →
 *                                            one attempt: the offer is spent whatever comes
 *                                            check proof_join, open the box, merge the entries
 *                                         ← offer {proof_offer, box_offer(userKey, merged entries)}
 *     check proof_offer, open the box
 *     adopt the user key, merge the entries
 */
import { decodeEntries, encodeEntries, type BlockEntry } from '../blocklist/block-list';
import { isStoredKeyPair } from '../identity/identity';
import type { StoredUserKey } from '../identity/identity-store';
import type { Pair } from '../session/wire';
import { formatPairingCode, isOfferingNode, newPairingCode, PAIRING_TTL_MS, parsePairingCode, type PairingCode } from './pairing-code';
import { checkPairingProof, open, pairingKeys, pairingProof, seal } from './pairing-crypto';

export class PairingError extends Error {
  override name = 'PairingError';
}

/** The offer this browser shows, as the dashboard sees it. */
export interface PairingOfferView {
  code: string;
  expiresAt: number;
}

/** What a pairing connection looks like to the background: who it is with and its binding. */
export interface PairingLink {
  nodeId: string;
  binding: string;
}

/** The offering side's one offer at a time: a new one replaces it, an attempt or the clock ends it. */
export class PairingOffers {
  private offer: { code: PairingCode; expiresAt: number } | null = null;

  constructor(private readonly now: () => number) {}

  create(ownNodeId: string): PairingOfferView {
    const code = newPairingCode(ownNodeId);
    this.offer = { code, expiresAt: this.now() + PAIRING_TTL_MS };
    return { code: formatPairingCode(code), expiresAt: this.offer.expiresAt };
  }

  cancel(): void {
    this.offer = null;
  }

  /** The live offer, spent by taking it: one attempt per code. */
  take(): PairingCode | null {
    const offer = this.offer;
    this.offer = null;
    return offer && offer.expiresAt > this.now() ? offer.code : null;
  }
}

export interface OfferDeps {
  userKey(): Promise<StoredUserKey>;
  entries(): Promise<BlockEntry[]>;
  merge(entries: BlockEntry[]): Promise<number>;
}

/** The offering side: answers a `join` heard on `link`. Never throws; a refusal is a message too. */
export async function answerJoin(offers: PairingOffers, link: PairingLink, message: Pair, deps: OfferDeps): Promise<{ reply: Pair; paired: boolean }> {
  const refused = { reply: { t: 'pair' as const, step: 'refused' as const }, paired: false };
  const code = offers.take();
  if (!code || message.step !== 'join' || !message.proof || !message.iv || !message.box) return refused;
  const keys = await pairingKeys(code.secret, link.binding);
  if (!(await checkPairingProof(keys, 'join', message.proof))) return refused;
  let joinerEntries: BlockEntry[];
  try {
    joinerEntries = decodeEntries(((await open(keys, 'join', { iv: message.iv, box: message.box })) as { entries?: unknown }).entries);
  } catch {
    return refused;
  }
  await deps.merge(joinerEntries);
  const sealed = await seal(keys, 'offer', { userKey: await deps.userKey(), entries: encodeEntries(await deps.entries()) });
  return { reply: { t: 'pair', step: 'offer', proof: await pairingProof(keys, 'offer'), ...sealed }, paired: true };
}

export interface JoinDeps {
  /** Opens (or finds) a ready connection to the node whose ID starts with `n` + the prefix. */
  connect(nodePrefix: string): Promise<PairingLink>;
  /** Sends `message` on the connection to `nodeId` and resolves with the pairing message that answers it. */
  exchange(nodeId: string, message: Pair): Promise<Pair>;
  entries(): Promise<BlockEntry[]>;
}

export interface JoinResult {
  offeringNodeId: string;
  userKey: StoredUserKey;
  entries: BlockEntry[];
}

/** The joining side: runs the exchange for the code the user typed. Throws PairingError with the reason. */
export async function joinWithCode(text: string, deps: JoinDeps): Promise<JoinResult> {
  const code = parsePairingCode(text);
  const link = await deps.connect(code.nodePrefix);
  if (!isOfferingNode(code, link.nodeId)) throw new PairingError(`connected to ${link.nodeId}, which is not the browser the code names`);
  const keys = await pairingKeys(code.secret, link.binding);
  const sealed = await seal(keys, 'join', { entries: encodeEntries(await deps.entries()) });
  const reply = await deps.exchange(link.nodeId, { t: 'pair', step: 'join', proof: await pairingProof(keys, 'join'), ...sealed });
  if (reply.step === 'refused') throw new PairingError('the other browser refused the code: it was wrong, used already, or expired. Ask for a new one');
  if (reply.step !== 'offer' || !reply.proof || !reply.iv || !reply.box || !(await checkPairingProof(keys, 'offer', reply.proof))) {
    throw new PairingError('the other browser did not prove it knows the code: nothing was taken from it');
  }
  const payload = (await open(keys, 'offer', { iv: reply.iv, box: reply.box })) as { userKey?: unknown; entries?: unknown };
  if (!isStoredKeyPair(payload.userKey)) throw new PairingError('the other browser sent no usable user key');
  return { offeringNodeId: link.nodeId, userKey: payload.userKey as StoredUserKey, entries: decodeEntries(payload.entries) };
}
