import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase32 } from '../../../../core/lib/encoding';
import {
  deriveId,
  IdentityVerifier,
  issueCertificate,
  loadOrCreateIdentity,
  NODE_KEY_STORAGE,
  USER_KEY_STORAGE,
  type IdentityClaim,
  type StoredIdentity,
} from '../../../../core/identity/identity';
import { memoryStore } from '../../../support/memory-store';

function claimOf(stored: StoredIdentity, nodeId: string, userId: string): IdentityClaim {
  return { nodeId, nodePub: stored.node.pub, userId, userPub: stored.user.pub, certAt: stored.cert.at, certSig: stored.cert.sig };
}

async function ids(stored: StoredIdentity): Promise<[string, string]> {
  return [await deriveId('n', fromBase64Url(stored.node.pub)), await deriveId('u', fromBase64Url(stored.user.pub))];
}

describe('identity', () => {
  it('derives 27-character IDs from the SHA-256 of the raw public key', async () => {
    const stored = await loadOrCreateIdentity({ local: memoryStore(), sync: memoryStore() });
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
    const first = await loadOrCreateIdentity({ local, sync });
    expect(local.values.has(NODE_KEY_STORAGE)).toBe(true);
    expect(sync.values.get(USER_KEY_STORAGE)).toEqual(first.user);
    expect(await loadOrCreateIdentity({ local, sync })).toEqual(first);
  });

  it('shares one user across browsers and re-certifies a node when the synced user key changes', async () => {
    const sync = memoryStore();
    const a = await loadOrCreateIdentity({ local: memoryStore(), sync });
    const localB = memoryStore();
    const b = await loadOrCreateIdentity({ local: localB, sync });
    expect(b.user.pub).toBe(a.user.pub);
    expect(b.node.pub).not.toBe(a.node.pub);

    const otherUser = await loadOrCreateIdentity({ local: memoryStore(), sync: memoryStore() });
    await sync.set(USER_KEY_STORAGE, otherUser.user);
    const b2 = await loadOrCreateIdentity({ local: localB, sync });
    expect(b2.node.pub).toBe(b.node.pub);
    const [nodeId, userId] = await ids(b2);
    await expect(new IdentityVerifier().verify(claimOf(b2, nodeId, userId))).resolves.toMatchObject({ nodeId, userId });
  });

  it('verifies a genuine claim and refuses forged ones, saying why', async () => {
    const stored = await loadOrCreateIdentity({ local: memoryStore(), sync: memoryStore() });
    const other = await loadOrCreateIdentity({ local: memoryStore(), sync: memoryStore() });
    const [nodeId, userId] = await ids(stored);
    const [otherNodeId] = await ids(other);
    const verifier = new IdentityVerifier();
    await expect(verifier.verify(claimOf(stored, nodeId, userId))).resolves.toMatchObject({ nodeId, userId });
    await expect(verifier.verify(claimOf(stored, otherNodeId, userId))).rejects.toThrow('node ID does not derive from its key');
    await expect(verifier.verify({ ...claimOf(stored, nodeId, userId), userPub: other.user.pub })).rejects.toThrow('user ID does not derive');
    await expect(verifier.verify({ ...claimOf(stored, nodeId, userId), certAt: stored.cert.at + 1 })).rejects.toThrow('certificate does not verify');
    // A certificate signed by another user's key, presented with that user's ID: the node is not theirs.
    const foreignCert = await issueCertificate(stored.node, other.user, 1);
    const [, otherUserId] = await ids(other);
    await expect(
      verifier.verify({ ...claimOf(stored, nodeId, otherUserId), userPub: other.user.pub, certAt: 1, certSig: foreignCert.sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }),
    ).rejects.toThrow('certificate does not verify');
    await expect(verifier.verify({ ...claimOf(stored, nodeId, userId), nodePub: 'not base64!' })).rejects.toThrow('base64url');
  });
});
