/**
 * The block list that paired browsers share through the GUN relays (docs/protocol.md, Pairing):
 * sealed for the user key and signed by it, so that the relays and everyone reading them see only
 * ciphertext under a channel name nobody without the key can link to a user.
 *
 * Keys come from the user key's private scalar by HKDF-SHA-256: one for AES-GCM, one for the
 * channel name. Each browser writes its whole list under its own node ID in the channel; the others
 * merge it by the block list's rules (newest version wins, tombstones included).
 */
import { decodeEntries, encodeEntries, type BlockEntry } from '../blocklist/block-list';
import { importPrivateKey, importPublicKey, NODE_ID_PATTERN, signText, verifyText } from '../identity/identity';
import type { StoredUserKey } from '../identity/identity-store';
import { fromBase64Url, randomBytes, toBase32, toBase64Url } from '../lib/encoding';
import { DATED_AHEAD_MS } from '../discovery/graph-families';

/** One browser's sealed list, as written to the channel. */
export interface SharedList {
  from: string;
  at: number;
  iv: string;
  box: string;
  sig: string;
}

export interface SharedListKeys {
  /** Where the user's browsers write their lists: 26 base32 characters. */
  channel: string;
  seal: CryptoKey;
  sign: CryptoKey;
  verify: CryptoKey;
}

/** A list dated further ahead than this is refused: taken, it would hold its sender's later lists back as stale. */
export const SHARED_LIST_AHEAD_MS = DATED_AHEAD_MS;

/**
 * Why a list of `at` (verified) is not to be merged, or null when it may be: dated ahead, or older than
 * `newestAt`, the newest list taken from its sender. An older list is a replay (a relay's, or anyone's
 * who kept it): it carries blocks its sender has since lifted, and once the tombstones of those lifts
 * are dropped (TOMBSTONE_TTL_MS), merging it would bring the blocks back (issue 23, item 7).
 */
export function listDateRefusal(at: number, newestAt: number | undefined, now: number): string | null {
  if (at > now + SHARED_LIST_AHEAD_MS) return 'dated ahead';
  if (newestAt !== undefined && at < newestAt) return 'older than the last list taken from that browser (replayed)';
  return null;
}

const encoder = new TextEncoder();
const signedText = (list: Omit<SharedList, 'sig'>) => `meshdeck/blocklist/v1\n${list.from}\n${list.at}\n${list.iv}\n${list.box}`;
const AAD = encoder.encode('meshdeck/blocklist/v1');

export async function sharedListKeys(userKey: StoredUserKey): Promise<SharedListKeys> {
  const d = (userKey.priv as JsonWebKey).d;
  if (typeof d !== 'string') throw new Error('the user key has no private part');
  const base = await crypto.subtle.importKey('raw', fromBase64Url(d) as BufferSource, 'HKDF', false, ['deriveBits', 'deriveKey']);
  const hkdf = (info: string) => ({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(info) });
  const [channelBits, seal, sign, verify] = await Promise.all([
    crypto.subtle.deriveBits(hkdf('meshdeck/blocklist/v1/channel'), base, 160),
    crypto.subtle.deriveKey(hkdf('meshdeck/blocklist/v1/seal'), base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']),
    importPrivateKey(userKey.priv as JsonWebKey),
    importPublicKey(fromBase64Url(userKey.pub)),
  ]);
  return { channel: toBase32(new Uint8Array(channelBits)).slice(0, 26), seal, sign, verify };
}

export async function sealList(keys: SharedListKeys, from: string, entries: BlockEntry[], at: number): Promise<SharedList> {
  const iv = randomBytes(12);
  const plain = encoder.encode(JSON.stringify(encodeEntries(entries)));
  const box = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv as BufferSource, additionalData: AAD }, keys.seal, plain));
  const unsigned = { from, at, iv: toBase64Url(iv), box: toBase64Url(box) };
  return { ...unsigned, sig: await signText(keys.sign, signedText(unsigned)) };
}

/** Opens another browser's list; null for anything not signed by the user key or not sealed for it. */
export async function openList(keys: SharedListKeys, value: unknown): Promise<{ from: string; at: number; entries: BlockEntry[] } | null> {
  if (typeof value !== 'object' || value === null) return null;
  const { from, at, iv, box, sig } = value as Record<string, unknown>;
  if (typeof from !== 'string' || !NODE_ID_PATTERN.test(from) || typeof at !== 'number' || typeof iv !== 'string' || typeof box !== 'string' || typeof sig !== 'string') return null;
  if (!(await verifyText(keys.verify, signedText({ from, at, iv, box }), sig))) return null;
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64Url(iv) as BufferSource, additionalData: AAD }, keys.seal, fromBase64Url(box) as BufferSource);
    return { from, at, entries: decodeEntries(JSON.parse(new TextDecoder().decode(plain))) };
  } catch {
    return null;
  }
}
