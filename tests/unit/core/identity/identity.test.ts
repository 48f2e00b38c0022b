import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase32, toBase64Url } from '../../../../core/lib/encoding';
import {
  deriveId,
  Identity,
  IdentityVerifier,
  issueCertificate,
  type IdentityClaim,
  type StoredIdentity,
  type StoredKeyPair,
} from '../../../../core/identity/identity';
import { loadOrCreateIdentity, NODE_KEY_STORAGE, keptUserKey, USER_KEY_STORAGE } from '../../../../core/identity/identity-store';
import { memoryNodeKeyStore } from '../../../../core/identity/node-key-store';
import { memoryStore } from '../../../support/memory-store';

const load = (local = memoryStore(), sync = memoryStore(), keys = memoryNodeKeyStore()) => loadOrCreateIdentity({ local, sync, keys });

function claimOf(stored: StoredIdentity, nodeId: string, userId: string): IdentityClaim {
  return { nodeId, nodePub: stored.node.pub, userId, userPub: stored.user.pub, certAt: stored.cert.at, certSig: stored.cert.sig };
}

async function ids(stored: StoredIdentity): Promise<[string, string]> {
  return [await deriveId('n', fromBase64Url(stored.node.pub)), await deriveId('u', fromBase64Url(stored.user.pub))];
}

describe('identity', () => {
  it('derives 27-character IDs from the SHA-256 of the raw public key', async () => {
    const stored = await load();
    const raw = fromBase64Url(stored.node.pub);
    expect(raw).toHaveLength(65);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', raw as BufferSource));
    const nodeId = await deriveId('n', raw);
    expect(nodeId).toBe('n' + toBase32(digest).slice(0, 26));
    expect(nodeId).toMatch(/^n[a-z2-7]{26}$/);
  });

  it('keeps the node key in local storage and the user key in sync storage', async () => {
    const local = memoryStore();
    const sync = memoryStore();
    const keys = memoryNodeKeyStore();
    const first = await load(local, sync, keys);
    expect(local.values.get(NODE_KEY_STORAGE)).toMatchObject({ pub: first.node.pub });
    expect(sync.values.get(USER_KEY_STORAGE)).toMatchObject(first.user);
    expect(await load(local, sync, keys)).toEqual(first);
    // Private keys: the node key's cannot be exported, and neither is in what the host is handed.
    const pair = await keys.load();
    expect(pair?.privateKey.extractable).toBe(false);
    expect(JSON.stringify(first)).not.toMatch(/"priv"|"d":/);
    expect(JSON.stringify(local.values.get(NODE_KEY_STORAGE))).not.toMatch(/"priv"|"d":/);
    expect((await Identity.fromStored(first, keys)).nodePub).toBe(first.node.pub);
  });

  it('shares one user across browsers and re-certifies a node when the synced user key changes', async () => {
    const sync = memoryStore();
    const a = await load(memoryStore(), sync);
    const localB = memoryStore();
    const keysB = memoryNodeKeyStore();
    const b = await load(localB, sync, keysB);
    expect(b.user.pub).toBe(a.user.pub);
    expect(b.node.pub).not.toBe(a.node.pub);

    const otherSync = memoryStore();
    await load(memoryStore(), otherSync);
    await sync.set(USER_KEY_STORAGE, otherSync.values.get(USER_KEY_STORAGE));
    const b2 = await load(localB, sync, keysB);
    expect(b2.user.pub).not.toBe(b.user.pub);
    expect(b2.node.pub).toBe(b.node.pub);
    const [nodeId, userId] = await ids(b2);
    await expect(new IdentityVerifier().verify(claimOf(b2, nodeId, userId))).resolves.toMatchObject({ nodeId, userId });
  });

  it('verifies a genuine claim and refuses forged ones, saying why', async () => {
    const stored = await load();
    const otherSync = memoryStore();
    const other = await load(memoryStore(), otherSync);
    const otherUserKey = otherSync.values.get(USER_KEY_STORAGE) as StoredKeyPair;
    const [nodeId, userId] = await ids(stored);
    const [otherNodeId] = await ids(other);
    const verifier = new IdentityVerifier();
    await expect(verifier.verify(claimOf(stored, nodeId, userId))).resolves.toMatchObject({ nodeId, userId });
    await expect(verifier.verify(claimOf(stored, otherNodeId, userId))).rejects.toThrow('node ID does not derive from its key');
    await expect(verifier.verify({ ...claimOf(stored, nodeId, userId), userPub: other.user.pub })).rejects.toThrow('user ID does not derive');
    await expect(verifier.verify({ ...claimOf(stored, nodeId, userId), certAt: stored.cert.at + 1 })).rejects.toThrow('certificate does not verify');
    // A certificate signed by another user's key, presented with that user's ID: the node is not theirs.
    const foreignCert = await issueCertificate(stored.node.pub, otherUserKey, 1);
    const [, otherUserId] = await ids(other);
    await expect(
      verifier.verify({ ...claimOf(stored, nodeId, otherUserId), userPub: other.user.pub, certAt: 1, certSig: foreignCert.sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }),
    ).rejects.toThrow('certificate does not verify');
    await expect(verifier.verify({ ...claimOf(stored, nodeId, userId), nodePub: 'not base64!' })).rejects.toThrow('base64url');
  });

  it('moves a node key kept as JWK by an older build into the key store, and deletes the JWK', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const { toBase64Url } = await import('../../../../core/lib/encoding');
    const pub = toBase64Url(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)));
    const local = memoryStore();
    await local.set(NODE_KEY_STORAGE, { pub, priv: await crypto.subtle.exportKey('jwk', pair.privateKey) });
    const keys = memoryNodeKeyStore();
    const stored = await load(local, memoryStore(), keys);
    expect(stored.node.pub).toBe(pub);
    expect(local.values.get(NODE_KEY_STORAGE)).not.toHaveProperty('priv');
    expect((await keys.load())?.privateKey.extractable).toBe(false);
  });

  it('two loads at once in two contexts (two service worker starts) settle on one node key, the one the host will hold', async () => {
    const local = memoryStore();
    const sync = memoryStore();
    const keys = memoryNodeKeyStore();
    const [a, b] = await Promise.all([load(local, sync, keys), load(local, sync, keys)]);
    const held = await keys.load();
    const heldPub = toBase64Url(new Uint8Array(await crypto.subtle.exportKey('raw', held!.publicKey)));
    expect([a.node.pub, b.node.pub]).toEqual([heldPub, heldPub]);
    // Whichever certificate was stored last names the key held.
    expect(((await local.get(NODE_KEY_STORAGE)) as { pub: string }).pub).toBe(heldPub);
  });

  it('settles two user keys on the older one, whichever order they meet in', () => {
    const a = { pub: 'AAA', priv: {}, createdAt: 10 };
    const b = { pub: 'BBB', priv: {}, createdAt: 20 };
    const legacy = { pub: 'ZZZ', priv: {} };
    expect(keptUserKey(a, b)).toBe(a);
    expect(keptUserKey(b, a)).toBe(a);
    expect(keptUserKey(b, legacy)).toBe(legacy);
    const twin = { ...a, pub: 'AAB' };
    expect(keptUserKey(twin, a)).toBe(a);
    expect(keptUserKey(a, twin)).toBe(a);
  });

  it('a key taken by pairing wins over any minted one, and the latest pairing over an earlier one', () => {
    const old = { pub: 'AAA', priv: {}, createdAt: 10 };
    const paired = { pub: 'BBB', priv: {}, createdAt: 20, pairedAt: 30 };
    const pairedLater = { pub: 'CCC', priv: {}, createdAt: 5, pairedAt: 40 };
    expect(keptUserKey(old, paired)).toBe(paired);
    expect(keptUserKey(paired, old)).toBe(paired);
    expect(keptUserKey(paired, pairedLater)).toBe(pairedLater);
  });
});
