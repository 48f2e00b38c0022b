/**
 * The background's side of identity (docs/protocol.md "Identity"): the user key in storage.sync, shared by
 * the user's browsers; the node key, non-extractable, in the NodeKeyStore; the node's certificate in
 * storage.local. Only the background holds the user key: it issues certificates, and hands the node
 * host public keys and the certificate alone.
 */
import { fromBase64Url } from '../lib/encoding';
import type { KeyValueStore } from '../lib/storage';
import {
  exportPublicKey,
  generateExportableKeyPair,
  generateNodeKeyPair,
  importPublicKey,
  isStoredKeyPair,
  issueCertificate,
  type Certificate,
  type StoredIdentity,
  type StoredKeyPair,
} from './identity';
import type { NodeKeyStore } from './node-key-store';

export const NODE_KEY_STORAGE = 'meshdeck:nodeKey';
export const USER_KEY_STORAGE = 'meshdeck:userKey';
/**
 * How long a browser profile without a user key waits for sync to deliver the user's existing one
 * before it mints its own. Should two keys meet anyway, keptUserKey settles which stays.
 */
const SYNC_SETTLE_MS = 5000;

/**
 * The user key as storage.sync holds it. `pairedAt` (set by the browser that took it by pairing) and
 * then `createdAt` settle a conflict (keptUserKey).
 */
export interface StoredUserKey extends StoredKeyPair {
  createdAt?: number;
  pairedAt?: number;
}

/** The node's entry in storage.local: its public key and certificate; the private key is in the NodeKeyStore. */
interface StoredNodeEntry {
  pub: string;
  cert?: Certificate;
  certUserPub?: string;
  /** Left by builds that kept the node key as JWK: moved into the NodeKeyStore, then deleted. */
  priv?: JsonWebKey;
}

/** Values arriving through storage.sync (storage.onChanged). */
export interface SyncArrivals {
  /** Resolves with `key`'s value once sync delivers it, or undefined after `ms`. */
  waitFor(key: string, ms: number): Promise<unknown>;
}

interface IdentityStores {
  local: KeyValueStore;
  sync: KeyValueStore;
  keys: NodeKeyStore;
  /** Absent (Node peers, tests): nothing arrives late, a missing user key is minted at once. */
  arrivals?: SyncArrivals;
  now?: () => number;
}

/**
 * Reads the identity, making whatever is missing: the user key (after waiting for sync to deliver an
 * existing one), the node key, and the node's certificate, re-issued when the user key changed.
 */
export async function loadOrCreateIdentity(stores: IdentityStores): Promise<StoredIdentity> {
  const now = stores.now ?? Date.now;
  const user = await loadOrMintUserKey(stores, now);
  const { nodePub, saved } = await loadOrCreateNodeKey(stores);
  if (saved?.pub === nodePub && saved.cert && saved.certUserPub === user.pub) {
    return { node: { pub: nodePub }, user: { pub: user.pub }, cert: saved.cert };
  }
  const cert = await issueCertificate(nodePub, user, now());
  await stores.local.set(NODE_KEY_STORAGE, { pub: nodePub, cert, certUserPub: user.pub } satisfies StoredNodeEntry);
  return { node: { pub: nodePub }, user: { pub: user.pub }, cert };
}

async function loadOrMintUserKey(stores: IdentityStores, now: () => number): Promise<StoredUserKey> {
  let user = await stores.sync.get(USER_KEY_STORAGE);
  if (!isStoredKeyPair(user) && stores.arrivals) user = await stores.arrivals.waitFor(USER_KEY_STORAGE, SYNC_SETTLE_MS);
  // Read again: the key may have arrived just before the wait began.
  if (!isStoredKeyPair(user)) user = await stores.sync.get(USER_KEY_STORAGE);
  if (isStoredKeyPair(user)) return user;
  const minted: StoredUserKey = { ...(await generateExportableKeyPair()), createdAt: now() };
  await stores.sync.set(USER_KEY_STORAGE, minted);
  return minted;
}

/**
 * The node key's public point, with the node's entry in storage.local as it stands afterwards; the
 * pair is made, or moved from a JWK left by an older build, as needed.
 */
async function loadOrCreateNodeKey(stores: IdentityStores): Promise<{ nodePub: string; saved: StoredNodeEntry | undefined }> {
  const held = await stores.keys.load();
  const saved = (await stores.local.get(NODE_KEY_STORAGE)) as StoredNodeEntry | undefined;
  const withoutJwk = async (entry: StoredNodeEntry): Promise<StoredNodeEntry> => {
    const { priv: _moved, ...rest } = entry;
    await stores.local.set(NODE_KEY_STORAGE, rest);
    return rest;
  };
  if (held) {
    const nodePub = await exportPublicKey(held.publicKey);
    return { nodePub, saved: saved?.priv ? await withoutJwk(saved) : saved };
  }
  if (saved?.priv && typeof saved.pub === 'string') {
    const pair: CryptoKeyPair = {
      publicKey: await importPublicKey(fromBase64Url(saved.pub)),
      privateKey: await crypto.subtle.importKey('jwk', saved.priv, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']),
    };
    const kept = await stores.keys.keepFirst(pair);
    // The imported public key is not extractable; a key another context kept meanwhile is.
    return { nodePub: kept === pair ? saved.pub : await exportPublicKey(kept.publicKey), saved: await withoutJwk(saved) };
  }
  const kept = await stores.keys.keepFirst(await generateNodeKeyPair());
  return { nodePub: await exportPublicKey(kept.publicKey), saved };
}

/**
 * Of two user keys that met, the one every browser keeps. A key taken by pairing is the user's own
 * choice: the latest pairing wins. Otherwise (two browsers minted one each before sync told them of
 * the other) the older wins, and of two as old the one with the smaller public key. Every browser
 * applies the same rule, so all of them settle on the same key whatever order sync used.
 */
export function keptUserKey(a: StoredUserKey, b: StoredUserKey): StoredUserKey {
  const ap = a.pairedAt ?? 0;
  const bp = b.pairedAt ?? 0;
  if (ap !== bp) return ap > bp ? a : b;
  const at = a.createdAt ?? 0;
  const bt = b.createdAt ?? 0;
  if (at !== bt) return at < bt ? a : b;
  return a.pub <= b.pub ? a : b;
}

