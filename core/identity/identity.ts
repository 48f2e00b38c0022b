/**
 * Node and user identities of docs/protocol.md: ECDSA P-256 key pairs, IDs derived from the public keys,
 * and the certificate by which a user key vouches for a node key.
 */
import { fromBase64Url, toBase32, toBase64Url, utf8 } from '../lib/encoding';
import type { NodeKeyStore } from './node-key-store';

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** A key pair as kept in storage: raw public point (base64url) and the private key as JWK. */
export interface StoredKeyPair {
  pub: string;
  priv: JsonWebKey;
}

/**
 * The identity as the background hands it to the node host: public keys and the certificate. No
 * private key: the host finds its node key in its NodeKeyStore, and the user key never leaves the
 * background.
 */
export interface StoredIdentity {
  node: { pub: string };
  user: { pub: string };
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

/** docs/protocol.md, Encodings: a node ID and a user ID. */
export const NODE_ID_PATTERN = /^n[a-z2-7]{26}$/;
export const USER_ID_PATTERN = /^u[a-z2-7]{26}$/;

export async function deriveId(prefix: 'n' | 'u', rawPublicKey: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', rawPublicKey as BufferSource));
  return prefix + toBase32(digest).slice(0, 26);
}

export const certificateText = (nodeId: string, userId: string, issuedAt: number): string =>
  `meshdeck/cert/v1\n${nodeId}\n${userId}\n${issuedAt}`;

/** A key pair with an exportable private key: the user key, which travels through storage.sync. */
export async function generateExportableKeyPair(): Promise<StoredKeyPair> {
  const pair = (await crypto.subtle.generateKey(ECDSA, true, ['sign', 'verify'])) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { pub: toBase64Url(raw), priv: await crypto.subtle.exportKey('jwk', pair.privateKey) };
}

/** A key pair whose private key cannot be exported: the node key, which never leaves this browser profile. */
export const generateNodeKeyPair = (): Promise<CryptoKeyPair> =>
  crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify']) as Promise<CryptoKeyPair>;

/** The raw public point of a key, base64url (the form IDs derive from). */
export async function exportPublicKey(key: CryptoKey): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.exportKey('raw', key)));
}

export function isStoredKeyPair(value: unknown): value is StoredKeyPair {
  const v = value as StoredKeyPair | undefined;
  return typeof v?.pub === 'string' && typeof v.priv === 'object' && v.priv !== null;
}

/** Signs a node key into the user's certificate (background only: it alone holds the user key). */
export async function issueCertificate(nodePub: string, user: StoredKeyPair, issuedAt: number): Promise<Certificate> {
  const nodeId = await deriveId('n', fromBase64Url(nodePub));
  const userId = await deriveId('u', fromBase64Url(user.pub));
  const userKey = await importPrivateKey(user.priv);
  return { at: issuedAt, sig: await signText(userKey, certificateText(nodeId, userId, issuedAt)) };
}

export const importPrivateKey = (jwk: JsonWebKey): Promise<CryptoKey> =>
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
  // One spelling per signature: a re-encoding must give back the text (unused trailing bits zero).
  if (sig.length !== 64 || toBase64Url(sig) !== signature) return false;
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

  /** The identity `stored` describes, signing with the node key held in `keys`. */
  static async fromStored(stored: StoredIdentity, keys: NodeKeyStore): Promise<Identity> {
    const pair = await keys.load();
    if (!pair) throw new IdentityError('this browser holds no node key');
    if ((await exportPublicKey(pair.publicKey)) !== stored.node.pub) throw new IdentityError('the node key held here is not the one certified');
    const nodeId = await deriveId('n', fromBase64Url(stored.node.pub));
    const userId = await deriveId('u', fromBase64Url(stored.user.pub));
    return new Identity(nodeId, stored.node.pub, userId, stored.user.pub, stored.cert, pair.privateKey);
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
