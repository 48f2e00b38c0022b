/**
 * The headless node's identity in one file (issue 14): its node key pair, its user key pair and the
 * certificate by which the user key vouches for the node key (docs/protocol.md "Identity").
 *
 * The browser keeps its node key non-extractable in IndexedDB and the user key in storage.sync; a
 * headless node has neither, and is both the background and the node host, so both keys live here,
 * as JWKs, in a file only its owner can read. It is created with mode 0600 in one step (never
 * written wider and narrowed after), and a file that its group or others can read, or that another
 * user owns, is refused: a key anyone else could read proves nothing.
 *
 * File format (version 1):
 *   { "version": 1,
 *     "node": { "pub": <raw P-256 point, base64url>, "priv": <JWK> },
 *     "user": { "pub": …, "priv": <JWK>, "createdAt": <ms> },
 *     "cert": { "at": <ms>, "sig": <base64url> } }
 */
import {
  deriveId,
  generateExportableKeyPair,
  IdentityVerifier,
  importPrivateKey,
  importPublicKey,
  isStoredKeyPair,
  issueCertificate,
  signText,
  verifyText,
  type Certificate,
  type StoredIdentity,
  type StoredKeyPair,
} from '../core/identity/identity';
import type { NodeKeyStore } from '../core/identity/node-key-store';
import type { StoredUserKey } from '../core/identity/identity-store';
import { fromBase64Url } from '../core/lib/encoding';
import { errorText } from '../core/lib/error-text';
import { createPrivateFile, PrivateFileError, readPrivateFile } from './private-file';

/** The identity file is missing a part, malformed, too widely readable, or not ours. */
export class IdentityFileError extends Error {
  override name = 'IdentityFileError';
}

const IDENTITY_FILE_VERSION = 1;
/** Far above an identity file's size (two key pairs and a certificate, ~1 KB): a bound, not a budget. */
const IDENTITY_FILE_MAX_BYTES = 64 * 1024;

interface IdentityFileContents {
  version: number;
  node: StoredKeyPair;
  user: StoredKeyPair & { createdAt?: number };
  cert: Certificate;
}

export interface LoadedIdentity {
  stored: StoredIdentity;
  /** Holds the node key pair, as startNodePeer's `identity.keys` expects. */
  keys: NodeKeyStore;
  nodeId: string;
  userId: string;
  /** The user key pair, for a controller that certifies the node under it (the headless dashboard's). */
  userKey: StoredUserKey;
  /** Whether this call made the file. */
  created: boolean;
}

/** Reads the identity file at `file`, or makes a new identity there if there is none. */
export async function loadOrCreateIdentityFile(file: string, { now = Date.now }: { now?: () => number } = {}): Promise<LoadedIdentity> {
  const existing = await readIdentityFile(file);
  if (existing) return existing;
  const contents = await mintIdentity(now());
  try {
    await createPrivateFile(file, JSON.stringify(contents, null, 2) + '\n');
  } catch (error) {
    // Another process made it between our read and our write: use theirs, so both agree.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      const theirs = await readIdentityFile(file);
      if (theirs) return theirs;
    }
    throw new IdentityFileError(`cannot write the identity file ${file}: ${errorText(error)}`);
  }
  return { ...(await toLoaded(file, contents)), created: true };
}

/** The identity in `file`, or null when there is no such file. Throws IdentityFileError for anything wrong with it. */
export async function readIdentityFile(file: string): Promise<LoadedIdentity | null> {
  let text: string | null;
  try {
    // Read as every private file is (private-file.ts): no link followed, no FIFO waited on, a regular
    // file of this user's that no one else can read, checked on the open file.
    text = await readPrivateFile(file, IDENTITY_FILE_MAX_BYTES);
  } catch (error) {
    throw new IdentityFileError(`the identity file ${file} ${error instanceof PrivateFileError ? error.message : `cannot be read: ${errorText(error)}`}`);
  }
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new IdentityFileError(`the identity file ${file} is not valid JSON: ${errorText(error)}`);
  }
  return { ...(await toLoaded(file, checkContents(file, parsed))), created: false };
}

function checkContents(file: string, value: unknown): IdentityFileContents {
  const v = value as Partial<IdentityFileContents> | null;
  if (typeof v !== 'object' || v === null) throw new IdentityFileError(`the identity file ${file} must hold a JSON object`);
  if (v.version !== IDENTITY_FILE_VERSION) throw new IdentityFileError(`the identity file ${file} has version ${String(v.version)}; this build reads version ${IDENTITY_FILE_VERSION}`);
  if (!isStoredKeyPair(v.node)) throw new IdentityFileError(`the identity file ${file} has no node key pair`);
  if (!isStoredKeyPair(v.user)) throw new IdentityFileError(`the identity file ${file} has no user key pair`);
  if (typeof v.cert?.sig !== 'string' || !Number.isFinite(v.cert.at)) throw new IdentityFileError(`the identity file ${file} has no certificate`);
  return v as IdentityFileContents;
}

async function mintIdentity(at: number): Promise<IdentityFileContents> {
  const [node, user] = await Promise.all([generateExportableKeyPair(), generateExportableKeyPair()]);
  const cert = await issueCertificate(node.pub, user, at);
  return { version: IDENTITY_FILE_VERSION, node, user: { ...user, createdAt: at }, cert };
}

/** Imports the keys and checks that they belong together: each private key to its public key, the certificate to both. */
async function toLoaded(file: string, contents: IdentityFileContents): Promise<Omit<LoadedIdentity, 'created'>> {
  const bad = (what: string) => new IdentityFileError(`the identity file ${file} is damaged: ${what}`);
  let pair: CryptoKeyPair;
  let userPriv: CryptoKey;
  try {
    // Extractable, as a generated pair's public key is: Identity.fromStored exports it to compare.
    const publicKey = await crypto.subtle.importKey('raw', fromBase64Url(contents.node.pub) as BufferSource, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
    pair = { publicKey, privateKey: await importPrivateKey(contents.node.priv) };
    userPriv = await importPrivateKey(contents.user.priv);
  } catch (error) {
    throw bad(`a key does not import (${errorText(error)})`);
  }
  const probe = `meshdeck/identity-file/probe\n${file}`;
  if (!(await verifyText(pair.publicKey, probe, await signText(pair.privateKey, probe)))) throw bad('the node private key is not the node public key’s');
  const userPub = await importPublicKey(fromBase64Url(contents.user.pub));
  if (!(await verifyText(userPub, probe, await signText(userPriv, probe)))) throw bad('the user private key is not the user public key’s');
  const nodeId = await deriveId('n', fromBase64Url(contents.node.pub));
  const userId = await deriveId('u', fromBase64Url(contents.user.pub));
  try {
    await new IdentityVerifier().verify({
      nodeId,
      nodePub: contents.node.pub,
      userId,
      userPub: contents.user.pub,
      certAt: contents.cert.at,
      certSig: contents.cert.sig,
    });
  } catch (error) {
    throw bad(errorText(error));
  }
  // The headless node key lives in its identity file: held from the start, never replaced.
  const keys: NodeKeyStore = { load: async () => pair, keepFirst: async () => pair };
  const userKey: StoredUserKey = { pub: contents.user.pub, priv: contents.user.priv, createdAt: contents.user.createdAt ?? contents.cert.at };
  return { stored: { node: { pub: contents.node.pub }, user: { pub: contents.user.pub }, cert: contents.cert }, keys, nodeId, userId, userKey };
}
