/**
 * Fuzzing the rendezvous record's decoders (core/discovery/rendezvous-record.ts). Anyone in the room
 * can write anything at any node's key, so pickRecord returns the record's own fields, each of its
 * type, or throws RecordError; verifyRecord returns a verified record within the bounds of
 * docs/protocol.md ("Rendezvous mesh") or throws RecordError or IdentityError.
 */
import { beforeAll, describe, expect } from 'vitest';
import { fc, it } from '@fast-check/vitest';
import { pickRecord, RecordError, signRecord, verifyRecord, type NodeRecord } from '../../../../core/discovery/rendezvous-record';
import { IdentityError, IdentityVerifier, type Identity } from '../../../../core/identity/identity';
import { decode, decodeAsync, fuzzTally } from '../../../support/fuzz-tally';
import { hostileField, hostileString, hostileValue, idLike, mutate, mutation, type Mutation } from '../../../support/fuzz-arbitraries';
import { seedMessages, type SeedMessages } from '../../../support/protocol-vectors';
import { makeIdentity } from '../../../support/identities';
import { fromBase64Url } from '../../../../core/lib/encoding';

const tally = fuzzTally(__filename);
/** One case that takes longer than this is a hang (fast-check fails it instead of waiting on). */
const ASYNC_CASE_MS = 10_000;
const FIELDS = ['id', 'pub', 'user', 'userPub', 'cert', 'certAt', 'signal', 'routing', 'neighbors', 'ts', 'sig'];
/** docs/protocol.md, Rendezvous mesh: at most 4 signaling endpoints and 64 neighbours. */
const MAX_SIGNAL = 4;
const MAX_NEIGHBORS = 64;
const NODE_ID = /^n[a-z2-7]{26}$/;

function pickProblem(r: NodeRecord): string | null {
  if (Object.keys(r).sort().join() !== [...FIELDS].sort().join()) return `fields ${Object.keys(r).join()}`;
  for (const field of ['id', 'pub', 'user', 'userPub', 'cert', 'signal', 'neighbors', 'sig'] as const) if (typeof r[field] !== 'string') return `${field} is not text`;
  if (typeof r.routing !== 'boolean') return 'routing is not a boolean';
  if (!Number.isFinite(r.certAt) || !Number.isFinite(r.ts)) return 'certAt or ts is not a finite number';
  return null;
}

function checkPick(raw: unknown): NodeRecord | null {
  const outcome = decode('pickRecord', [RecordError], () => pickRecord(raw));
  if ('error' in outcome) return null;
  const problem = pickProblem(outcome.value);
  if (problem) expect.fail(`pickRecord returned a malformed record: ${problem}`);
  return outcome.value;
}

async function checkVerify(record: NodeRecord, verifier: IdentityVerifier, bounds = true) {
  const outcome = await decodeAsync('verifyRecord', [RecordError, IdentityError], () => verifyRecord(record, verifier));
  if ('error' in outcome) return null;
  const verified = outcome.value;
  expect(verified.record).toBe(record);
  expect(typeof verified.userId).toBe('string');
  expect(verified.nodeKey).toBeInstanceOf(CryptoKey);
  if (!Array.isArray(verified.signal) || !verified.signal.every((s) => typeof s === 'string')) expect.fail('signal is not a list of text');
  if (!Array.isArray(verified.neighbors) || !verified.neighbors.every((s) => typeof s === 'string')) expect.fail('neighbors is not a list of text');
  if (bounds) {
    if (verified.signal.length > MAX_SIGNAL) expect.fail(`a record with ${verified.signal.length} signaling endpoints verified (at most ${MAX_SIGNAL})`);
    if (verified.neighbors.length > MAX_NEIGHBORS) expect.fail(`a record with ${verified.neighbors.length} neighbours verified (at most ${MAX_NEIGHBORS})`);
    if (!verified.neighbors.every((n) => NODE_ID.test(n))) expect.fail('a neighbour that is not a node ID verified');
  }
  return verified;
}

/** Record-shaped objects with each field of the right type most of the time, and GUN's metadata. */
const either = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: hostileField });
const shapedRecord = fc.record({
  id: either(idLike), pub: either(hostileString), user: either(idLike), userPub: either(hostileString), cert: either(hostileString),
  certAt: either(fc.oneof(fc.integer(), fc.double())), signal: either(fc.oneof(hostileString, fc.array(hostileString, { maxLength: 3 }).map((a) => JSON.stringify(a)))),
  routing: either(fc.boolean()), neighbors: either(fc.oneof(hostileString, fc.array(idLike, { maxLength: 3 }).map((a) => JSON.stringify(a)))),
  ts: either(fc.oneof(fc.integer(), fc.double())), sig: either(hostileString),
  _: fc.record({ '#': hostileString, '>': fc.dictionary(hostileString, fc.double()) }),
}, { requiredKeys: [] });

/**
 * Whether a field still says what was signed: the same value (-0 is 0 in canonical JSON), or for the
 * signature the same bytes (base64url's last character has unused bits a decoder may ignore).
 */
function sameField(field: string, a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (field !== 'sig' || typeof a !== 'string' || typeof b !== 'string') return false;
  try {
    return fromBase64Url(a).join() === fromBase64Url(b).join();
  } catch {
    return false;
  }
}

describe('pickRecord and verifyRecord under fuzzing', () => {
  let seeds: SeedMessages;
  let verifier: IdentityVerifier;
  let identity: Identity;
  beforeAll(async () => {
    seeds = seedMessages();
    verifier = new IdentityVerifier();
    identity = (await makeIdentity()).identity;
  });

  it('verifies the seed record (positive control)', async () => {
    const record = pickRecord({ ...seeds.record, _: { '#': 'meta' } });
    const verified = await verifyRecord(record, verifier);
    expect(verified.record.id).toBe(seeds.record.id);
  });

  it.prop([fc.oneof(hostileValue, shapedRecord)], { seed: 0x5eed + 60, numRuns: 8_000 , timeout: ASYNC_CASE_MS })(
    'pickRecord: any delivery is a record of typed fields or a RecordError',
    tally.property((raw: unknown) => {
      checkPick(raw);
    }),
    60_000,
  );

  it.prop([shapedRecord], { seed: 0x5eed + 61, numRuns: 2_000 , timeout: ASYNC_CASE_MS })(
    'verifyRecord: record-shaped deliveries are verified records or a RecordError/IdentityError',
    tally.property(async (raw: unknown) => {
      const record = checkPick(raw);
      if (record) await checkVerify(record, verifier);
    }),
    60_000,
  );

  it.prop([mutation, fc.boolean()], { seed: 0x5eed + 62, numRuns: 1_500 , timeout: ASYNC_CASE_MS })(
    'verifyRecord: the seed record with one field dropped, retyped, flipped or added verifies only if its signed fields are intact',
    tally.property(async (m: Mutation, withMeta: boolean) => {
      const raw = mutate(withMeta ? { ...seeds.record, _: { '#': 'x' } } : seeds.record, m);
      const record = checkPick(raw);
      if (!record) return;
      const verified = await checkVerify(record, verifier);
      const intact = FIELDS.every((f) => sameField(f, record[f as keyof NodeRecord], seeds.record[f as keyof NodeRecord]));
      if (verified && !intact) expect.fail(`a record whose signed fields changed verified: ${JSON.stringify(record).slice(0, 300)}`);
    }),
    60_000,
  );

  /** Genuinely signed records of any content: only the protocol's bounds decide. */
  const content = fc.record({
    signal: fc.array(fc.constantFrom('http://127.0.0.1:9000/peerjs', 'https://example.test/peerjs', 'x'), { maxLength: 8 }),
    neighbors: fc.oneof(fc.array(idLike, { maxLength: 8 }), fc.integer({ min: 60, max: 70 }).map((n) => Array.from({ length: n }, (_, i) => `n${'a'.repeat(24)}${(i % 26 + 10).toString(36)}${'a'}`))),
    routing: fc.boolean(),
  });

  it.prop([content, fc.integer({ min: 0, max: 2 ** 42 })], { seed: 0x5eed + 63, numRuns: 300 , timeout: ASYNC_CASE_MS })(
    'verifyRecord: genuinely signed records hold at most 4 signaling endpoints and 64 node IDs as neighbours',
    tally.property(async (c: { signal: string[]; neighbors: string[]; routing: boolean }, ts: number) => {
      const record = await signRecord(identity, c, ts);
      await checkVerify(pickRecord(record), verifier);
    }),
    60_000,
  );
});
