/**
 * Both halves of a pairing (docs/protocol.md, Pairing), on the background's side, which alone holds the
 * user key. The node host only carries the messages: it never sees the secret, the user key or the
 * block list in the clear.
 *
 *   joiner                                   offerer (shows the code)
 *     connect to the node the code names
 *     join {proof_join, box_join(entries)} →
 *                                            a malformed join is refused, spending nothing
 *                                            one attempt of the code's PAIRING_ATTEMPTS, one per connection
 *                                            check proof_join, open the box: the offer ends, merge the entries
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

/**
 * Attempts one code takes (issue 23, item 2). One attempt per code let any ready peer burn the offer
 * with a bare `join`; three leave a guesser 3 chances in 2^40 (about 2^-38), and each needs a
 * connection of its own (one attempt per connection and code).
 */
export const PAIRING_ATTEMPTS = 3;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** base64url of an HMAC-SHA-256 (32 bytes) and of an AES-GCM nonce (12 bytes), unpadded. */
const PROOF_CHARS = 43;
const IV_CHARS = 16;
/** An AES-GCM box holds at least its 16-byte tag. */
const MIN_BOX_CHARS = 22;

/**
 * Whether `message` is a join worth an attempt: `proof`, `iv` and `box` present, base64url, of their
 * sizes. Anything else is refused before it spends an attempt or a key derivation.
 */
export function isWellFormedJoin(message: Pair): message is Pair & { step: 'join'; proof: string; iv: string; box: string } {
  const { step, proof, iv, box } = message;
  return (
    step === 'join' &&
    typeof proof === 'string' && proof.length === PROOF_CHARS && BASE64URL.test(proof) &&
    typeof iv === 'string' && iv.length === IV_CHARS && BASE64URL.test(iv) &&
    typeof box === 'string' && box.length >= MIN_BOX_CHARS && BASE64URL.test(box)
  );
}

/**
 * The offering side's one offer at a time: a new one replaces it; a pairing, the clock or Cancel ends
 * it; after PAIRING_ATTEMPTS attempts it takes no more.
 */
export class PairingOffers {
  private offer: { code: PairingCode; expiresAt: number; attempts: number; tried: Set<string> } | null = null;

  constructor(private readonly now: () => number) {}

  create(ownNodeId: string): PairingOfferView {
    const code = newPairingCode(ownNodeId);
    this.offer = { code, expiresAt: this.now() + PAIRING_TTL_MS, attempts: 0, tried: new Set() };
    return { code: formatPairingCode(code), expiresAt: this.offer.expiresAt };
  }

  cancel(): void {
    this.offer = null;
  }

  /**
   * One attempt at the live offer by the connection whose channel binding is `binding`: the code to
   * check the attempt against, or null when no offer is live, its attempts are used up, or this
   * connection tried it already. Counted when taken, so attempts under way at once count each.
   */
  attempt(binding: string): PairingCode | null {
    const offer = this.offer;
    if (!offer) return null;
    if (offer.expiresAt <= this.now()) {
      this.offer = null;
      return null;
    }
    if (offer.attempts >= PAIRING_ATTEMPTS || offer.tried.has(binding)) return null;
    offer.attempts++;
    offer.tried.add(binding);
    return offer.code;
  }

  /**
   * An attempt with `code` proved the secret: the offer ends, as one pairing per code. False when it
   * ended meanwhile (cancelled, replaced, or another attempt paired first): the attempt is refused.
   */
  complete(code: PairingCode): boolean {
    if (this.offer?.code !== code) return false;
    this.offer = null;
    return true;
  }
}

interface OfferDeps {
  userKey(): Promise<StoredUserKey>;
  entries(): Promise<BlockEntry[]>;
  merge(entries: BlockEntry[]): Promise<number>;
}

/**
 * The offering side: answers a `join` heard on `link`. A malformed join, or one beyond the offer's
 * attempts, is refused before any key derivation and spends nothing (issue 23, item 2). Never throws; a
 * refusal is a message too.
 */
export async function answerJoin(offers: PairingOffers, link: PairingLink, message: Pair, deps: OfferDeps): Promise<{ reply: Pair; paired: boolean }> {
  const refused = { reply: { t: 'pair' as const, step: 'refused' as const }, paired: false };
  if (!isWellFormedJoin(message)) return refused;
  const code = offers.attempt(link.binding);
  if (!code) return refused;
  const keys = await pairingKeys(code.secret, link.binding);
  if (!(await checkPairingProof(keys, 'join', message.proof))) return refused;
  let joinerEntries: BlockEntry[];
  try {
    joinerEntries = decodeEntries(((await open(keys, 'join', { iv: message.iv, box: message.box })) as { entries?: unknown }).entries);
  } catch {
    return refused;
  }
  if (!offers.complete(code)) return refused;
  await deps.merge(joinerEntries);
  const sealed = await seal(keys, 'offer', { userKey: await deps.userKey(), entries: encodeEntries(await deps.entries()) });
  return { reply: { t: 'pair', step: 'offer', proof: await pairingProof(keys, 'offer'), ...sealed }, paired: true };
}

interface JoinDeps {
  /** Opens (or finds) a ready connection to the node whose ID starts with `n` + the prefix. */
  connect(nodePrefix: string): Promise<PairingLink>;
  /** Sends `message` on the connection to `nodeId` and resolves with the pairing message that answers it. */
  exchange(nodeId: string, message: Pair): Promise<Pair>;
  entries(): Promise<BlockEntry[]>;
}

interface JoinResult {
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
