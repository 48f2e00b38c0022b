import { systemClock } from '../../../../core/lib/clock';
import { beforeAll, describe, expect, it } from 'vitest';
import { RecordTable } from '../../../../core/discovery/record-table';
import { RECORD_STALE_MS, signRecord, type NodeRecord, type RecordContent } from '../../../../core/discovery/rendezvous-record';
import { IdentityVerifier, type Identity, type IdentityClaim, type VerifiedPeer } from '../../../../core/identity/identity';
import { makeIdentity } from '../../../support/identities';
import { eventually, FakeClock } from '../../../support/fake-clock';

const T = Date.UTC(2025, 0, 1);

/** Holds every identity check until the test lets it go, so the test picks which one ends first. */
class GatedVerifier extends IdentityVerifier {
  readonly waiting: (() => void)[] = [];

  override async verify(claim: IdentityClaim): Promise<VerifiedPeer> {
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return super.verify(claim);
  }
}
const content: RecordContent = { signal: ['http://127.0.0.1:9000/peerjs'], routing: true, neighbors: [] };

describe('RecordTable.ingest', () => {
  let self: Identity;
  let peer: Identity;
  let other: Identity;

  beforeAll(async () => {
    [self, peer, other] = (await Promise.all([makeIdentity(), makeIdentity(), makeIdentity()])).map((made) => made.identity) as [Identity, Identity, Identity];
  });

  const table = () => new RecordTable(self.nodeId, new IdentityVerifier(), systemClock);
  const record = (identity: Identity, ts: number, extra: Partial<RecordContent> = {}) => signRecord(identity, { ...content, ...extra }, ts);

  it('takes a valid record as new, a newer version as updated', async () => {
    const records = table();
    expect(await records.ingest(await record(peer, T))).toBe('new');
    expect(await records.ingest(await record(peer, T + 1, { neighbors: [other.nodeId] }))).toBe('updated');
    expect(records.size).toBe(1);
    expect(records.get(peer.nodeId)).toMatchObject({ userId: peer.userId, neighbors: [other.nodeId] });
    expect(records.get(peer.nodeId)!.record.ts).toBe(T + 1);
  });

  it('finds the same version again, an older one and another at the same date stale, keeping the newest', async () => {
    const records = table();
    const newer = await record(peer, T + 10);
    await records.ingest(newer);
    expect(await records.ingest(newer)).toBe('stale');
    expect(await records.ingest(await record(peer, T, { routing: false }))).toBe('stale');
    // Another version dated as the one held: not news either (a signer dates each write).
    expect(await records.ingest({ ...newer, routing: !newer.routing })).toBe('stale');
    expect(records.get(peer.nodeId)!.record).toEqual(newer);
  });

  it('ignores its own record', async () => {
    const records = table();
    expect(await records.ingest(await record(self, T))).toBe('ignored');
    expect(records.size).toBe(0);
  });

  it('ignores what is not a node record (partial writes, foreign data), without counting it invalid', async () => {
    const records = table();
    const { sig: _sig, ...partial } = await record(peer, T);
    for (const raw of [null, 'text', 42, [], {}, partial, { ...(await record(peer, T)), ts: 'soon' }]) {
      expect(await records.ingest(raw), JSON.stringify(raw)).toBe('ignored');
    }
    expect(records.size).toBe(0);
    expect(records.invalidCount).toBe(0);
  });

  it('keeps what GUN adds beside the fields out of the record', async () => {
    const records = table();
    const signed = await record(peer, T);
    expect(await records.ingest({ ...signed, _: { '#': 'soul', '>': {} } })).toBe('new');
    expect(records.get(peer.nodeId)!.record).toEqual(signed);
  });

  it('counts a forged record invalid once per version, and finds a re-delivery invalid without a second count', async () => {
    const records = table();
    // The peer's genuine record under another node's ID: the ID is not derived from the key.
    const forged: NodeRecord = { ...(await record(peer, T)), id: other.nodeId };
    expect(await records.ingest(forged)).toBe('invalid');
    expect(await records.ingest(forged)).toBe('invalid');
    expect(records.invalidCount).toBe(1);
    expect(records.size).toBe(0);
    // Another version of the forgery is another failure.
    expect(await records.ingest({ ...forged, ts: T + 1 })).toBe('invalid');
    expect(records.invalidCount).toBe(2);
  });

  it('counts a record the rendezvous screened out once per version, and junk that is no record not at all', async () => {
    const records = table();
    const aheadOfTime = { ...(await record(peer, T)), ts: T + 3_600_000 };
    records.countScreened({ ...aheadOfTime, _: { '#': 'soul' } });
    records.countScreened(aheadOfTime);
    records.countScreened({ junk: 1 });
    expect(records.invalidCount).toBe(1);
    expect(await records.ingest(aheadOfTime)).toBe('invalid');
  });

  it('never lets a forged newer record replace a valid one', async () => {
    const records = table();
    const genuine = await record(peer, T);
    await records.ingest(genuine);
    // A newer version of the peer's record, altered after signing: the signature no longer verifies.
    const tampered: NodeRecord = { ...genuine, ts: T + 5, signal: JSON.stringify(['http://attacker.example/peerjs']) };
    expect(await records.ingest(tampered)).toBe('invalid');
    // Someone else's keys claiming the peer's ID, signed by themselves and newer still.
    const impostor: NodeRecord = { ...(await record(other, T + 10)), id: peer.nodeId };
    expect(await records.ingest(impostor)).toBe('invalid');
    expect(records.get(peer.nodeId)!.record).toEqual(genuine);
    // The genuine next version still gets in.
    expect(await records.ingest(await record(peer, T + 20))).toBe('updated');
  });

  it('keeps the newer version when an older one finishes its check after it', async () => {
    const verifier = new GatedVerifier();
    const records = new RecordTable(self.nodeId, verifier, systemClock);
    const [older, newer] = [await record(peer, T), await record(peer, T + 1)];
    // Both arrive while nothing is held, so both start their check.
    const first = records.ingest(older);
    const second = records.ingest(newer);
    expect(verifier.waiting).toHaveLength(2);
    verifier.waiting[1]!();
    expect(await second).toBe('new');
    verifier.waiting[0]!();
    expect(await first).toBe('stale');
    expect(records.get(peer.nodeId)!.record).toEqual(newer);
  });

  it('a version delivered again while its check waits hears that check\'s result, not an early answer', async () => {
    const verifier = new GatedVerifier();
    const records = new RecordTable(self.nodeId, verifier, systemClock);
    const forged: NodeRecord = { ...(await record(peer, T)), id: other.nodeId };
    const first = records.ingest(forged);
    const again = records.ingest(forged);
    expect(verifier.waiting).toHaveLength(1);
    verifier.waiting[0]!();
    expect([await first, await again]).toEqual(['invalid', 'invalid']);
  });

  it('lists as fresh only the records not yet stale', async () => {
    const records = table();
    await records.ingest(await record(peer, T));
    await records.ingest(await record(other, T + 30_000));
    expect(records.freshIds(T + RECORD_STALE_MS).sort()).toEqual([peer.nodeId, other.nodeId].sort());
    expect(records.freshIds(T + RECORD_STALE_MS + 1)).toEqual([other.nodeId]);
    expect(records.ids().sort()).toEqual([peer.nodeId, other.nodeId].sort());
  });
});

describe('RecordTable and forged copies', () => {
  it('a forged copy of a version that arrives first does not hide the genuine record', async () => {
    const [self, other] = await Promise.all([makeIdentity(), makeIdentity()]);
    const table = new RecordTable(self.identity.nodeId, new IdentityVerifier(), systemClock);
    const genuine = await signRecord(other.identity, { signal: [], routing: true, neighbors: [] }, Date.now());
    const forged = { ...genuine, sig: genuine.sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) };
    expect(await table.ingest(forged)).toBe('invalid');
    expect(await table.ingest(genuine)).toBe('new');
  });
});

describe('RecordTable under a storm', () => {
  // The product's limits scaled down tenfold and more, so the test runs in a second.
  const limits = { recordsKept: 30, pendingKept: 20, verifyRate: { perSecond: 10, burst: 10 } };

  it('refuses junk without a signature check, budgets the checks of signed records, and a newcomer waits behind a bounded queue', async () => {
    const clock = new FakeClock();
    const [self, newcomer] = await Promise.all([makeIdentity(), makeIdentity()]);
    let checks = 0;
    class CountingVerifier extends IdentityVerifier {
      override verify(claim: IdentityClaim): Promise<VerifiedPeer> {
        checks++;
        return super.verify(claim);
      }
    }
    const table = new RecordTable(self.identity.nodeId, new CountingVerifier(), clock, limits);
    const now = clock.now();
    // Junk shaped like records: an ID that is not one, and a genuine record dated a year ahead.
    const genuine = await signRecord(newcomer.identity, content, now);
    const junk = Array.from({ length: 3000 }, (_, i) => ({ ...genuine, id: `n${'1'.repeat(26)}`, ts: now + i }));
    const ahead = { ...genuine, ts: now + 365 * 24 * 3600_000 };
    const results = await Promise.all([...junk.map((j) => table.ingest(j)), table.ingest(ahead)]);
    expect(results.every((r) => r === 'invalid')).toBe(true);
    expect(checks).toBe(0);
    // Records of many "nodes" with a signature that is not theirs: they wait for the budget.
    const sybils = await Promise.all(Array.from({ length: 40 }, async () => ({ ...(await signRecord((await makeIdentity()).identity, content, now)), sig: genuine.sig })));
    const sybilResults = sybils.map((s) => table.ingest(s));
    expect(checks).toBeLessThanOrEqual(limits.verifyRate.burst);
    expect(table.pendingCount).toBe(limits.pendingKept);
    const newcomerResult = table.ingest(genuine);
    // The backlog drains at the budget: the newcomer is in within pendingKept / rate seconds.
    for (let i = 0; i < 25 && !table.get(newcomer.identity.nodeId); i++) await clock.advance(100);
    await eventually(() => table.get(newcomer.identity.nodeId) !== undefined, 'newcomer kept');
    expect(await newcomerResult).toBe('new');
    while (table.pendingCount) await clock.advance(100);
    expect((await Promise.all(sybilResults)).filter((r) => r === 'new')).toEqual([]);
    expect(checks).toBeLessThanOrEqual(limits.verifyRate.burst + limits.pendingKept + 1);
    table.stop();
    expect(clock.pending).toBe(0);
  });

  it('keeps a bounded number of records, stale ones evicted first', async () => {
    const clock = new FakeClock();
    const self = await makeIdentity();
    const table = new RecordTable(self.identity.nodeId, new IdentityVerifier(), clock, { ...limits, verifyRate: { perSecond: 1000, burst: 1000 } });
    const old = await makeIdentity();
    await table.ingest(await signRecord(old.identity, content, clock.now() - 2 * RECORD_STALE_MS));
    for (let i = 0; i < limits.recordsKept; i++) await table.ingest(await signRecord((await makeIdentity()).identity, content, clock.now()));
    expect(table.size).toBe(limits.recordsKept);
    expect(table.get(old.identity.nodeId)).toBeUndefined();
  });
});
