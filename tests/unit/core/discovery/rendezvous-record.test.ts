import { describe, expect, it } from 'vitest';
import { IdentityVerifier } from '../../../../core/identity/identity';
import { isStale, pickRecord, RECORD_STALE_MS, signRecord, verifyRecord } from '../../../../core/discovery/rendezvous-record';
import { makeIdentity } from '../../../support/identities';

const content = { signal: ['http://127.0.0.1:9000/peerjs'], routing: false, neighbors: ['nabc'] };

describe('rendezvous record', () => {
  it('signs a record that verifies, and reads back its lists', async () => {
    const { identity } = await makeIdentity();
    const record = await signRecord(identity, content, 1000);
    const verified = await verifyRecord(pickRecord({ ...record, _: { '#': 'gun-meta' } }), new IdentityVerifier());
    expect(verified.userId).toBe(identity.userId);
    expect(verified.signal).toEqual(content.signal);
    expect(verified.neighbors).toEqual(['nabc']);
  });

  it('refuses a tampered field, a forged ID and a foreign signature', async () => {
    const { identity } = await makeIdentity();
    const { identity: other } = await makeIdentity();
    const record = await signRecord(identity, content, 1000);
    const verifier = new IdentityVerifier();
    await expect(verifyRecord({ ...record, ts: 2000 }, verifier)).rejects.toThrow('record signature');
    await expect(verifyRecord({ ...record, neighbors: '[]' }, verifier)).rejects.toThrow('record signature');
    await expect(verifyRecord({ ...record, id: other.nodeId }, verifier)).rejects.toThrow('does not derive');
    const theirs = await signRecord(other, content, 1000);
    await expect(verifyRecord({ ...record, sig: theirs.sig }, verifier)).rejects.toThrow('record signature');
  });

  it('refuses records with missing or mistyped fields', async () => {
    const { identity } = await makeIdentity();
    const record = await signRecord(identity, content, 1000);
    expect(() => pickRecord({ ...record, ts: 'soon' })).toThrow('wrong type');
    expect(() => pickRecord(null)).toThrow('not an object');
  });

  it('is stale after 60 s', async () => {
    const { identity } = await makeIdentity();
    const record = await signRecord(identity, content, 0);
    expect(isStale(record, RECORD_STALE_MS)).toBe(false);
    expect(isStale(record, RECORD_STALE_MS + 1)).toBe(true);
  });
});
