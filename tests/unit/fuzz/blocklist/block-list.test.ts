/**
 * Fuzzing the block list's two decoders (core/blocklist/block-list.ts): parseBlockListFile reads a
 * file the user picked (anyone could have written it) and either returns well-formed entries or
 * refuses the whole file with ImportError; decodeEntries reads a storage item (another build's, a
 * corrupted one) and skips what it cannot read, never throwing.
 */
import { describe, expect } from 'vitest';
import { fc, it } from '@fast-check/vitest';
import {
  BlockInputError, decodeEntries, encodeEntries, exportBlockList, IMPORT_MAX_ENTRIES, ImportError, NOTE_MAX_LENGTH, parseBlockListFile, type BlockEntry,
} from '../../../../core/blocklist/block-list';
import { decode, fuzzTally } from '../../../support/fuzz-tally';
import {
  applyTextEdit, deepSpec, deepText, hostileField, hostileString, hostileValue, idLike, jsonText, jsonToken, mutate, mutation, numberToken, objectText,
  quoted, textEdit, type DeepSpec, type Mutation, type TextEdit,
} from '../../../support/fuzz-arbitraries';

const tally = fuzzTally(__filename);
const NOW = Date.UTC(2025, 0, 1);
const ID_PATTERN = /^[nu][a-z2-7]{26}$/;
const LABEL_MAX_LENGTH = 80;

/** What is wrong with an entry, or null. Plain checks: a 5,000-entry file makes 50,000 of them. */
function entryProblem(e: BlockEntry): string | null {
  if (typeof e.id !== 'string' || !ID_PATTERN.test(e.id)) return `id ${String(e.id)}`;
  if (e.kind !== (e.id.startsWith('n') ? 'node' : 'user')) return `kind ${e.kind} of ${e.id}`;
  if (typeof e.note !== 'string' || typeof e.label !== 'string') return 'note or label is not text';
  if (typeof e.removed !== 'boolean') return 'removed is not a boolean';
  if (!Number.isFinite(e.at) || !Number.isFinite(e.v)) return `time at ${e.at}, v ${e.v}`;
  return null;
}

function importProblem(e: BlockEntry): string | null {
  if (!(e.at > 0 && e.at <= NOW)) return `at ${e.at} outside (0, now]`;
  if (e.v !== NOW || e.removed !== false) return 'an import is a block made now';
  if (e.note.length > NOTE_MAX_LENGTH || e.label.length > LABEL_MAX_LENGTH) return 'note or label over its length';
  return null;
}

function checkImport(text: string): void {
  const outcome = decode('parseBlockListFile', [ImportError, BlockInputError], () => parseBlockListFile(text, NOW));
  if ('error' in outcome) return;
  const entries = outcome.value;
  if (!Array.isArray(entries) || entries.length > IMPORT_MAX_ENTRIES) expect.fail('not a list of at most 5,000 entries');
  if (new Set(entries.map((e) => e.id)).size !== entries.length) expect.fail('an ID imported twice');
  for (const e of entries) {
    const problem = entryProblem(e) ?? importProblem(e);
    if (problem) expect.fail(`parseBlockListFile returned a malformed entry: ${problem}`);
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

function checkDecode(value: unknown): void {
  const outcome = decode('decodeEntries', [], () => decodeEntries(value));
  if ('error' in outcome) return;
  if (!Array.isArray(outcome.value)) expect.fail('decodeEntries returned no list');
  for (const e of outcome.value) {
    const problem = entryProblem(e);
    if (problem) expect.fail(`decodeEntries returned a malformed entry: ${problem}`);
  }
}

/** A value as storage.sync hands it back: through JSON (NaN and the infinities become null). */
const throughJson = (value: unknown): unknown => JSON.parse(jsonText(value));

/** Entries as the store holds them. */
const entryArb: fc.Arbitrary<BlockEntry> = fc
  .record({
    id: idLike.filter((id) => ID_PATTERN.test(id)),
    at: fc.integer({ min: 1, max: NOW }),
    v: fc.integer({ min: 1, max: NOW }),
    removed: fc.boolean(),
    note: fc.string({ maxLength: NOTE_MAX_LENGTH }),
    label: fc.string({ maxLength: LABEL_MAX_LENGTH }),
  })
  .map((e) => ({ ...e, kind: e.id.startsWith('n') ? ('node' as const) : ('user' as const) }));
const entriesArb = fc.uniqueArray(entryArb, { selector: (e) => e.id, maxLength: 8 });

const str = quoted(hostileString);
/** Files shaped like an export, with each field of the right type most of the time. */
const fileText = objectText({
  format: fc.oneof(fc.constant('"meshdeck-block-list"'), str),
  version: fc.oneof(fc.constantFrom('1', '1.0', '2', '"1"'), numberToken),
  exportedAt: numberToken,
  entries: fc.array(objectText({ id: fc.oneof(quoted(idLike), str), kind: quoted(fc.constantFrom('node', 'user')), at: numberToken, note: str, label: str }), { maxLength: 6 }).map((items) => `[${items.join(',')}]`),
});

/** Exports of up to 6,000 entries: at and over the 5,000-entry limit, and over 1 MiB with long notes. */
const bigFile = fc.record({ count: fc.oneof(fc.integer({ min: 4_990, max: 5_010 }), fc.integer({ min: 0, max: 6_000 })), note: fc.constantFrom('', 'n'.repeat(200), '€'.repeat(200)) });
/** The i-th node ID, all distinct. */
function nthId(i: number): string {
  let id = '';
  for (let x = i, k = 0; k < 26; k++, x = Math.floor(x / 32)) id = 'abcdefghijklmnopqrstuvwxyz234567'[x % 32] + id;
  return `n${id}`;
}
function bigFileText({ count, note }: { count: number; note: string }): string {
  const entries = Array.from({ length: count }, (_, i) => ({ id: nthId(i), kind: 'node', at: 1, note, label: '' }));
  return JSON.stringify({ format: 'meshdeck-block-list', version: 1, exportedAt: NOW, entries });
}

describe('parseBlockListFile under fuzzing', () => {
  it('reads back what exportBlockList wrote (positive control)', () => {
    fc.assert(
      fc.property(entriesArb, (entries) => {
        const parsed = parseBlockListFile(exportBlockList(entries, NOW), NOW);
        expect(parsed.map((e) => e.id)).toEqual(entries.filter((e) => !e.removed).map((e) => e.id));
      }),
      { seed: 0x5eed + 30, numRuns: 200 },
    );
  });

  it.prop([fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), jsonToken)], { seed: 0x5eed + 31, numRuns: 6_000 })(
    'random text: entries or an ImportError',
    tally.property((text: string) => checkImport(text)),
    60_000,
  );

  it.prop([fileText], { seed: 0x5eed + 32, numRuns: 6_000 })(
    'files shaped like an export (a version whose String() throws included): entries or an ImportError',
    tally.property((text: string) => checkImport(text)),
    60_000,
  );

  it.prop([entriesArb, mutation, fc.option(textEdit, { freq: 3 })], { seed: 0x5eed + 33, numRuns: 4_000 })(
    'exports with one field dropped, retyped, flipped or added (and text edits): entries or an ImportError',
    tally.property((entries: BlockEntry[], m: Mutation, edit: TextEdit | null) => {
      const text = jsonText(mutate(JSON.parse(exportBlockList(entries, NOW)) as unknown, m));
      checkImport(edit ? applyTextEdit(text, edit) : text);
    }),
    60_000,
  );

  it.prop([deepSpec, fc.constantFrom('', 'version', 'entries', 'id', 'note')], { seed: 0x5eed + 34, numRuns: 300 })(
    'deeply nested files and fields (up to 12,000 levels): entries or an ImportError',
    tally.property((spec: DeepSpec, field: string) => {
      const deep = deepText(spec);
      const head = '{"format":"meshdeck-block-list"';
      if (!field) return checkImport(deep);
      if (field === 'version' || field === 'entries') return checkImport(`${head},"version":${field === 'version' ? deep : 1},"entries":${field === 'entries' ? deep : '[]'}}`);
      return checkImport(`${head},"version":1,"entries":[{"id":${field === 'id' ? deep : `"${'n'.padEnd(27, 'a')}"`},"note":${field === 'note' ? deep : '""'}}]}`);
    }),
    60_000,
  );

  it.prop([bigFile], { seed: 0x5eed + 35, numRuns: 40 })(
    'large files, around the 5,000-entry and 1 MiB limits, are entries or an ImportError',
    tally.property((spec: { count: number; note: string }) => checkImport(bigFileText(spec))),
    60_000,
  );
});

describe('decodeEntries under fuzzing', () => {
  it('reads back what encodeEntries wrote (positive control)', () => {
    fc.assert(
      fc.property(entriesArb, (entries) => {
        expect(decodeEntries(JSON.parse(JSON.stringify(encodeEntries(entries))))).toEqual(entries);
      }),
      { seed: 0x5eed + 36, numRuns: 200 },
    );
  });

  it.prop([hostileValue], { seed: 0x5eed + 37, numRuns: 5_000 })(
    'any stored value: well-formed entries, never a throw',
    tally.property((value: unknown) => checkDecode(value)),
    60_000,
  );

  const shard = fc.array(fc.oneof(fc.array(hostileField, { maxLength: 7 }), fc.tuple(idLike, hostileField, hostileField, hostileField, hostileField, hostileField)), { maxLength: 6 });

  it.prop([shard], { seed: 0x5eed + 38, numRuns: 5_000 })(
    'shards of tuples with hostile fields, as storage.sync returns them (JSON): well-formed entries, never a throw',
    tally.property((value: unknown) => checkDecode(throughJson(value))),
    60_000,
  );

  it.prop([shard], { seed: 0x5eed + 41, numRuns: 2_000 })(
    'shards as a structured clone returns them (Firefox storage.local: NaN and ±Infinity survive): well-formed entries, never a throw',
    tally.property((value: unknown) => checkDecode(structuredCloneOrNull(value))),
    60_000,
  );

  it.prop([entriesArb, mutation], { seed: 0x5eed + 39, numRuns: 3_000 })(
    'stored shards with one field dropped, retyped, flipped or added: well-formed entries, never a throw',
    tally.property((entries: BlockEntry[], m: Mutation) => checkDecode(throughJson(mutate(encodeEntries(entries), m)))),
    60_000,
  );
});

/** What storage.local keeps of a value in Firefox (a structured clone), or null where it cannot be cloned. */
function structuredCloneOrNull(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return null;
  }
}
