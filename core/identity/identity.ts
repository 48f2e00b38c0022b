/**
 * Node and user identities of PROTOCOL.md: ECDSA P-256 key pairs, IDs derived from the public keys,
 * and the certificate by which a user key vouches for a node key.
 */
import { fromBase64Url, toBase32, toBase64Url, utf8 } from '../lib/encoding';
import type { KeyValueStore } from '../lib/storage';

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
export const NODE_KEY_STORAGE = 'meshdeck:nodeKey';
export const USER_KEY_STORAGE = 'meshdeck:userKey';

/** A key pair as kept in storage: raw public point (base64url) and the private key as JWK. */
export interface StoredKeyPair {
  pub: string;
  priv: JsonWebKey;
}

export interface StoredIdentity {
  node: StoredKeyPair;
  user: StoredKeyPair;
  cert: Certificate;
}

export interface Certificate {
  /** issuedAt, ms since the epoch */
  at: number;
  sig: string;
}


export class IdentityError extends Error {
  override name = 'IdentityError';
}

export async function deriveId(prefix: 'n' | 'u', rawPublicKey: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', rawPublicKey as BufferSource));
  return prefix + toBase32(digest).slice(0, 26);
}

export const certificateText = (nodeId: string, userId: string, issuedAt: number): string =>
  `meshdeck/cert/v1\n${nodeId}\n${userId}\n${issuedAt}`;

async function generateKeyPair(): Promise<StoredKeyPair> {
  const pair = (await crypto.subtle.generateKey(ECDSA, true, ['sign', 'verify'])) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { pub: toBase64Url(raw), priv: await crypto.subtle.exportKey('jwk', pair.privateKey) };
}

function isStoredKeyPair(value: unknown): value is StoredKeyPair {
  const v = value as StoredKeyPair | undefined;
  return typeof v?.pub === 'string' && typeof v.priv === 'object' && v.priv !== null;
}

/**
 * Reads the node key (local) and user key (sync), making whichever is missing, and (re)issues the
 * node's certificate when the user key that signed it changed (another browser of the user won the
 * race to create the sync key).
 */
export async function loadOrCreateIdentity(stores: { local: KeyValueStore; sync: KeyValueStore }): Promise<StoredIdentity> {
  let user = await stores.sync.get(USER_KEY_STORAGE);
  if (!isStoredKeyPair(user)) {
    user = await generateKeyPair();
    await stores.sync.set(USER_KEY_STORAGE, user);
  }
  const saved = (await stores.local.get(NODE_KEY_STORAGE)) as (StoredKeyPair & { cert?: Certificate; certUserPub?: string }) | undefined;
  const userPair = user as StoredKeyPair;
  if (isStoredKeyPair(saved) && saved.cert && saved.certUserPub === userPair.pub) {
    return { node: { pub: saved.pub, priv: saved.priv }, user: userPair, cert: saved.cert };
  }
  const node = isStoredKeyPair(saved) ? { pub: saved.pub, priv: saved.priv } : await generateKeyPair();
  const cert = await issueCertificate(node, userPair, Date.now());
  await stores.local.set(NODE_KEY_STORAGE, { ...node, cert, certUserPub: userPair.pub });
  return { node, user: userPair, cert };
}

export async function issueCertificate(node: StoredKeyPair, user: StoredKeyPair, issuedAt: number): Promise<Certificate> {
  const nodeId = await deriveId('n', fromBase64Url(node.pub));
  const userId = await deriveId('u', fromBase64Url(user.pub));
  const userKey = await importPrivateKey(user.priv);
  return { at: issuedAt, sig: await signText(userKey, certificateText(nodeId, userId, issuedAt)) };
}

const importPrivateKey = (jwk: JsonWebKey): Promise<CryptoKey> =>
  crypto.subtle.importKey('jwk', jwk, ECDSA, false, ['sign']);

export const importPublicKey = (raw: Uint8Array): Promise<CryptoKey> =>
  crypto.subtle.importKey('raw', raw as BufferSource, ECDSA, false, ['verify']);

export async function signText(key: CryptoKey, text: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign(SIGNING, key, utf8(text) as BufferSource)));
}

export async function verifyText(key: CryptoKey, text: string, signature: string): Promise<boolean> {
  let sig: Uint8Array;
  try {
    sig = fromBase64Url(signature);
  } catch {
    return false;
  }
  if (sig.length !== 64) return false;
  return crypto.subtle.verify(SIGNING, key, sig as BufferSource, utf8(text) as BufferSource);
}

/** This node's identity, ready to sign. Private keys never leave it. */
export class Identity {
  private constructor(
    readonly nodeId: string,
    readonly nodePub: string,
    readonly userId: string,
    readonly userPub: string,
    readonly cert: Certificate,
    private readonly nodeKey: CryptoKey,
  ) {}

  static async fromStored(stored: StoredIdentity): Promise<Identity> {
    const nodeId = await deriveId('n', fromBase64Url(stored.node.pub));
    const userId = await deriveId('u', fromBase64Url(stored.user.pub));
    return new Identity(nodeId, stored.node.pub, userId, stored.user.pub, stored.cert, await importPrivateKey(stored.node.priv));
  }

  sign(text: string): Promise<string> {
    return signText(this.nodeKey, text);
  }
}

/** What a peer claims about itself, in a hello or a rendezvous record. */
export interface IdentityClaim {
  nodeId: string;
  nodePub: string;
  userId: string;
  userPub: string;
  certAt: number;
  certSig: string;
}

export interface VerifiedPeer {
  nodeId: string;
  userId: string;
  nodeKey: CryptoKey;
}

/**
 * Checks that both IDs derive from their keys and that the user key certified the node key.
 * Throws an IdentityError saying which check failed. Results are cached per claim, since every
 * peer re-announces every 15 s with the same identity.
 */
export class IdentityVerifier {
  private readonly cache = new Map<string, Promise<VerifiedPeer>>();

  constructor(private readonly maxEntries = 1024) {}

  verify(claim: IdentityClaim): Promise<VerifiedPeer> {
    const key = `${claim.nodePub}|${claim.userPub}|${claim.certAt}|${claim.certSig}|${claim.nodeId}|${claim.userId}`;
    let result = this.cache.get(key);
    if (!result) {
      if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
      result = verifyClaim(claim);
      this.cache.set(key, result);
      // A failed claim is not worth keeping: a forger would only fill the cache.
      result.catch(() => this.cache.delete(key));
    }
    return result;
  }
}

async function verifyClaim(claim: IdentityClaim): Promise<VerifiedPeer> {
  const strings = [claim.nodeId, claim.nodePub, claim.userId, claim.userPub, claim.certSig];
  if (!strings.every((s) => typeof s === 'string') || !Number.isFinite(claim.certAt)) {
    throw new IdentityError('identity fields missing');
  }
  let nodeRaw: Uint8Array;
  let userRaw: Uint8Array;
  try {
    nodeRaw = fromBase64Url(claim.nodePub);
    userRaw = fromBase64Url(claim.userPub);
  } catch {
    throw new IdentityError('public key is not base64url');
  }
  if (nodeRaw.length !== 65 || userRaw.length !== 65) throw new IdentityError('public key is not a raw P-256 point');
  if ((await deriveId('n', nodeRaw)) !== claim.nodeId) throw new IdentityError('node ID does not derive from its key');
  if ((await deriveId('u', userRaw)) !== claim.userId) throw new IdentityError('user ID does not derive from its key');
  let userKey: CryptoKey;
  let nodeKey: CryptoKey;
  try {
    [userKey, nodeKey] = await Promise.all([importPublicKey(userRaw), importPublicKey(nodeRaw)]);
  } catch {
    throw new IdentityError('public key is not on the P-256 curve');
  }
  const certified = await verifyText(userKey, certificateText(claim.nodeId, claim.userId, claim.certAt), claim.certSig);
  if (!certified) throw new IdentityError('certificate does not verify');
  return { nodeId: claim.nodeId, userId: claim.userId, nodeKey };
}
