import { describe, expect, it } from 'vitest';
import { IdentityVerifier } from '../../../../core/identity/identity';
import { checkRecordBounds, isStale, MAX_NEIGHBORS, MAX_SIGNAL_URLS, pickRecord, RECORD_AHEAD_MS, RECORD_STALE_MS, signRecord, verifyRecord } from '../../../../core/discovery/rendezvous-record';
import { makeIdentity } from '../../../support/identities';

const content = { signal: ['http://127.0.0.1:9000/peerjs'], routing: false, neighbors: ['n' + 'a'.repeat(26)] };

describe('rendezvous record', () => {
  it('signs a record that verifies, and reads back its lists', async () => {
    const { identity } = await makeIdentity();
    const record = await signRecord(identity, content, 1000);
    const verified = await verifyRecord(pickRecord({ ...record, _: { '#': 'gun-meta' } }), new IdentityVerifier());
    expect(verified.userId).toBe(identity.userId);
    expect(verified.signal).toEqual(content.signal);
    expect(verified.neighbors).toEqual(content.neighbors);
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

  it('bounds what a record may hold and how far ahead it may be dated', async () => {
    const { identity } = await makeIdentity();
    const now = 1_000_000;
    const ok = await signRecord(identity, content, now);
    expect(() => checkRecordBounds(ok, now)).not.toThrow();
    expect(() => checkRecordBounds(ok, now - RECORD_AHEAD_MS)).not.toThrow();
    expect(() => checkRecordBounds(ok, now - RECORD_AHEAD_MS - 1)).toThrow('ahead');
    const many = (n: number, make: (i: number) => string) => Array.from({ length: n }, (_, i) => make(i));
    const toId = (i: number) => 'n' + i.toString(32).padStart(26, 'a').replace(/[0-1]/g, 'b').replace(/[89]/g, 'c');
    const crowded = await signRecord(identity, { ...content, neighbors: many(MAX_NEIGHBORS + 1, toId) }, now);
    await expect(verifyRecord(crowded, new IdentityVerifier())).rejects.toThrow(/at most 64/);
    const servers = await signRecord(identity, { ...content, signal: many(MAX_SIGNAL_URLS + 1, (i) => `http://127.0.0.1:${9000 + i}/peerjs`) }, now);
    expect(() => checkRecordBounds(servers, now)).toThrow(/at most 4/);
    const notIds = await signRecord(identity, { ...content, neighbors: ['<script>'] }, now);
    expect(() => checkRecordBounds(notIds, now)).toThrow(/node IDs/);
  });
});
