/**
 * Fuzzing RecordTable.ingest (core/discovery/record-table.ts) with random sequences of deliveries, as
 * a GUN room hands them over: genuine records in any order, forged and mutated copies, partial writes,
 * foreign data, GUN metadata, our own record. Whatever arrives, ingest resolves to one of its four
 * results, the table holds only genuine records, each the newest genuine version delivered, and a
 * record that fails never replaces a valid one.
 */
import { beforeAll, describe, expect } from 'vitest';
import { fc, it } from '@fast-check/vitest';
import { RecordTable } from '../../../../core/discovery/record-table';
import { pickRecord, signRecord, type NodeRecord } from '../../../../core/discovery/rendezvous-record';
import { IdentityVerifier, type Identity } from '../../../../core/identity/identity';
import { decodeAsync, fuzzTally } from '../../../support/fuzz-tally';
import { hostileValue, mutate, mutation, type Mutation } from '../../../support/fuzz-arbitraries';
import { makeIdentity } from '../../../support/identities';
import { FakeClock } from '../../../support/fake-clock';
import { fakeId } from '../../../support/ids';
import { fromBase64Url } from '../../../../core/lib/encoding';

const tally = fuzzTally(__filename);
/** One case that takes longer than this is a hang (fast-check fails it instead of waiting on). */
const ASYNC_CASE_MS = 10_000;
/** The fake clock's start: records are dated from it, so none is stale or ahead. */
const T = Date.UTC(2025, 0, 1);
const RESULTS = ['new', 'updated', 'ignored', 'stale', 'invalid'];
/** Versions signed of each genuine source: ts T, T + 1000, … */
const VERSIONS = 4;

type Delivery =
  | { kind: 'genuine'; source: number; version: number; meta: boolean }
  | { kind: 'mutated'; source: number; version: number; m: Mutation }
  | { kind: 'self'; version: number }
  | { kind: 'garbage'; value: unknown };

const delivery: fc.Arbitrary<Delivery> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('genuine' as const), source: fc.nat(1), version: fc.nat(VERSIONS - 1), meta: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('mutated' as const), source: fc.nat(1), version: fc.nat(VERSIONS - 1), m: mutation }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('self' as const), version: fc.nat(VERSIONS - 1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('garbage' as const), value: hostileValue }) },
);

describe('RecordTable.ingest under fuzzing', () => {
  let self: Identity;
  let sources: Identity[];
  /** genuine[source][version] */
  let genuine: NodeRecord[][];
  let own: NodeRecord[];
  const verifier = new IdentityVerifier();

  beforeAll(async () => {
    const made = await Promise.all([makeIdentity(), makeIdentity(), makeIdentity()]);
    [self, ...sources] = made.map((m) => m.identity) as [Identity, Identity, Identity];
    const content = (i: number) => ({ signal: ['http://127.0.0.1:9000/peerjs'], routing: i % 2 === 0, neighbors: [self.nodeId] });
    genuine = await Promise.all(sources.map((s) => Promise.all(Array.from({ length: VERSIONS }, (_, v) => signRecord(s, content(v), T + v * 1000)))));
    own = await Promise.all(Array.from({ length: VERSIONS }, (_, v) => signRecord(self, content(v), T + v * 1000)));
  });

  function raw(d: Delivery): unknown {
    switch (d.kind) {
      case 'genuine':
        return d.meta ? { ...genuine[d.source]![d.version]!, _: { '#': 'meshdeck/v1/default/nodes/x', '>': { ts: 1 } } } : genuine[d.source]![d.version];
      case 'mutated':
        return mutate(genuine[d.source]![d.version]!, d.m);
      case 'self':
        return own[d.version];
      case 'garbage':
        return d.value;
    }
  }

  /** Which genuine version this delivery is, after picking (a mutation may leave a record genuine). */
  function genuineVersion(value: unknown): { source: number; version: number } | null {
    let picked: NodeRecord;
    try {
      picked = pickRecord(value);
    } catch {
      return null;
    }
    for (let source = 0; source < genuine.length; source++) {
      for (let version = 0; version < VERSIONS; version++) {
        const g = genuine[source]![version]!;
        if (Object.keys(g).every((k) => sameField(k, picked[k as keyof NodeRecord], g[k as keyof NodeRecord]))) return { source, version };
      }
    }
    return null;
  }

  const tableOf = (clock = new FakeClock(T)) => new RecordTable(self.nodeId, verifier, clock);

  it('takes genuine records and leaves forged ones (positive control)', async () => {
    const table = tableOf();
    expect(await table.ingest(genuine[0]![1])).toBe('new');
    expect(await table.ingest({ ...genuine[0]![2]!, sig: genuine[0]![3]!.sig })).toBe('invalid');
    expect(await table.ingest(genuine[0]![2])).toBe('updated');
    expect(await table.ingest({ ...genuine[0]![3]!, routing: !genuine[0]![3]!.routing })).toBe('invalid');
    expect(table.get(sources[0]!.nodeId)!.record).toEqual(genuine[0]![2]);
  });

  it.prop([fc.array(delivery, { minLength: 1, maxLength: 10 }), fc.boolean()], { seed: 0x5eed + 70, numRuns: 400 , timeout: ASYNC_CASE_MS })(
    'random deliveries, one by one or all at once (forged copies that reuse a genuine signature included): the newest genuine version of each source and nothing else',
    tally.property(async (deliveries: Delivery[], together: boolean) => {
      const table = tableOf();
      const values = deliveries.map(raw);
      const ingest = (value: unknown) => decodeAsync('RecordTable.ingest', [], () => table.ingest(value));
      const outcomes = together ? await Promise.all(values.map(ingest)) : await sequence(values, ingest);
      for (const outcome of outcomes) {
        if ('error' in outcome) expect.fail('ingest rejected');
        expect(RESULTS).toContain(outcome.value);
      }
      // What the table must hold: for each source, the newest genuine version delivered.
      const newest = new Map<number, number>();
      values.forEach((value, i) => {
        const g = genuineVersion(value);
        const result = (outcomes[i] as { value: string }).value;
        if (!g && (result === 'new' || result === 'updated')) expect.fail(`a delivery that is no genuine record was taken: ${deliveries[i]!.kind}`);
        if (g) newest.set(g.source, Math.max(newest.get(g.source) ?? -1, g.version));
      });
      expect(table.get(self.nodeId)).toBeUndefined();
      expect(table.size).toBe(newest.size);
      for (const [source, version] of newest) expect(table.get(sources[source]!.nodeId)?.record).toEqual(genuine[source]![version]);
    }),
    60_000,
  );

  it.prop([fc.integer({ min: 800, max: 1_000 }), fc.nat(VERSIONS - 2), mutation, fc.boolean()], { seed: 0x5eed + 71, numRuns: 20 , timeout: ASYNC_CASE_MS })(
    'under a storm of deliveries (the signature budget spent), a forged newer copy does not push out the genuine version waiting for its check',
    tally.property(async (storm: number, version: number, m: Mutation, forgedFirst: boolean) => {
      const clock = new FakeClock(T);
      const table = tableOf(clock);
      // Records that pass the cheap checks and wait for a signature check, each of another node.
      const template = genuine[1]![0]!;
      const flood = Array.from({ length: storm }, (_, i) => table.ingest({ ...template, id: fakeId(i + 1) }));
      const forged = mutate(genuine[0]![version + 1]!, m);
      const deliveries = forgedFirst ? [forged, genuine[0]![version]] : [genuine[0]![version], forged];
      const results = deliveries.map((d) => table.ingest(d));
      await clock.advance(10_000);
      for (const result of await Promise.all([...flood, ...results])) expect(RESULTS).toContain(result);
      const g = genuineVersion(forged);
      const held = table.get(sources[0]!.nodeId)?.record;
      const expected = genuine[0]![g && g.source === 0 ? Math.max(g.version, version) : version];
      if (!held) expect.fail(`the genuine version ${version} was lost behind ${forgedFirst ? 'an earlier' : 'a later'} forged copy`);
      expect(held).toEqual(expected);
      table.stop();
    }),
    60_000,
  );
});

/** The same value, or for the signature the same bytes (base64url's last character has unused bits). */
function sameField(field: string, a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (field !== 'sig' || typeof a !== 'string' || typeof b !== 'string') return false;
  try {
    return fromBase64Url(a).join() === fromBase64Url(b).join();
  } catch {
    return false;
  }
}

async function sequence<T, R>(items: T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await run(item));
  return out;
}
