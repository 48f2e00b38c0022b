/**
 * The record intake alone, on the fake clock, over a real record table: the reader's verdict, what the
 * auto-dialler is told, and when the node last discovered something.
 */
import { describe, expect, it } from 'vitest';
import { RecordIntake } from '../../../../core/node/record-intake';
import { RECORDS_KEPT, PENDING_KEPT, RecordTable, type RecordTableLimits } from '../../../../core/discovery/record-table';
import { signRecord } from '../../../../core/discovery/rendezvous-record';
import { IdentityVerifier, type Identity } from '../../../../core/identity/identity';
import { EventLog } from '../../../../core/lib/event-log';
import { FakeClock, eventually } from '../../../support/fake-clock';
import { makeIdentity } from '../../../support/identities';

const content = { signal: ['http://127.0.0.1:9000/peerjs'], routing: true, neighbors: [] };

async function setUp(limits?: RecordTableLimits) {
  const clock = new FakeClock();
  const { identity: self } = await makeIdentity();
  const records = new RecordTable(self.nodeId, new IdentityVerifier(), clock, limits);
  const found: [string, number][] = [];
  const changedIds: string[] = [];
  const log = new EventLog(clock);
  let changes = 0;
  const intake = new RecordIntake({
    selfId: self.nodeId,
    clock,
    records,
    dialler: { found: (nodeId, signedAt) => void found.push([nodeId, signedAt]), changed: (nodeId) => void changedIds.push(nodeId) },
    log,
    changed: () => void changes++,
  });
  /** Takes `raw` and resolves with the verdict the reader was given. */
  const take = async (raw: unknown): Promise<boolean> => {
    let verdict: boolean | null = null;
    intake.take(raw, (genuine) => (verdict = genuine));
    await eventually(() => verdict !== null, 'the verdict');
    return verdict!;
  };
  return { clock, self, records, intake, found, changedIds, log, changes: () => changes, take };
}

const record = (identity: Identity, ts: number) => signRecord(identity, content, ts);

describe('RecordIntake', () => {
  it('hands a node found for the first time to the dialler, ranked by its signed date, and says the read was news', async () => {
    const { clock, intake, found, changedIds, take } = await setUp();
    const { identity } = await makeIdentity();
    await clock.advance(5000);
    expect(await take(await record(identity, clock.now() - 1000))).toBe(true);
    expect(found).toEqual([[identity.nodeId, clock.now() - 1000]]);
    expect(changedIds).toEqual([]);
    expect(intake.lastDiscoveryAt).toBe(clock.now());
  });

  it('ranks a record dated ahead no later than now: a Sybil signing in the future does not outrank a newcomer', async () => {
    const { clock, found, take } = await setUp();
    const { identity } = await makeIdentity();
    await take(await record(identity, clock.now() + 60_000));
    expect(found).toEqual([[identity.nodeId, clock.now()]]);
  });

  it('tells the dialler of a newer record of a known node, and says nothing new of the same record again', async () => {
    const { clock, found, changedIds, take } = await setUp();
    const { identity } = await makeIdentity();
    const first = await record(identity, clock.now());
    await take(first);
    expect(await take(first)).toBe(false);
    expect(changedIds).toEqual([]);
    expect(await take(await record(identity, clock.now() + 1))).toBe(true);
    expect(found.map(([id]) => id)).toEqual([identity.nodeId]);
    expect(changedIds).toEqual([identity.nodeId]);
  });

  it('gives a forged record the verdict false, counts it and dials nothing', async () => {
    const { clock, records, found, changedIds, intake, changes, take } = await setUp();
    const { identity: signer } = await makeIdentity();
    const { identity: victim } = await makeIdentity();
    const forged = { ...(await record(signer, clock.now())), id: victim.nodeId };
    expect(await take(forged)).toBe(false);
    expect(records.invalidCount).toBe(1);
    expect(changes()).toBe(1);
    expect([found, changedIds]).toEqual([[], []]);
    expect(intake.lastDiscoveryAt).toBeNull();
  });

  it("ends the read of this node's own record: nothing better will come by waiting", async () => {
    const { clock, self, found, take } = await setUp();
    expect(await take(await record(self, clock.now()))).toBe(true);
    expect(found).toEqual([]);
  });

  it('counts what the screen refused, once per version', async () => {
    const { clock, records, intake, changes } = await setUp();
    const { identity } = await makeIdentity();
    const refused = await record(identity, clock.now());
    intake.screened([refused, refused, 'not a record']);
    expect(records.invalidCount).toBe(1);
    expect(changes()).toBe(1);
  });

  it('answers the deliveries still waiting for their check when the run stops, and holds no timer', async () => {
    // One check a second: the second record waits for its turn.
    const { clock, records, intake, found } = await setUp({ recordsKept: RECORDS_KEPT, pendingKept: PENDING_KEPT, verifyRate: { perSecond: 1, burst: 1 } });
    const [{ identity: a }, { identity: b }] = [await makeIdentity(), await makeIdentity()];
    const verdicts = new Map<string, boolean>();
    intake.take(await record(a, clock.now()), (genuine) => verdicts.set(a.nodeId, genuine));
    intake.take(await record(b, clock.now()), (genuine) => verdicts.set(b.nodeId, genuine));
    expect(records.pendingCount).toBe(1);
    intake.stop();
    await eventually(() => verdicts.size === 2, 'both answered');
    expect(verdicts.get(a.nodeId)).toBe(true);
    expect(verdicts.get(b.nodeId)).toBe(false);
    expect(found.map(([id]) => id)).toEqual([a.nodeId]);
    expect(clock.pending).toBe(0);
  });
});
