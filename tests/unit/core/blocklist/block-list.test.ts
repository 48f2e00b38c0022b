import { describe, expect, it } from 'vitest';
import {
  exportBlockList,
  itemBytes,
  layOut,
  mergeEntries,
  parseBlockId,
  parseBlockListFile,
  previewImport,
  SHARD_COUNT,
  SYNC_QUOTA_BYTES,
  SYNC_QUOTA_BYTES_PER_ITEM,
  SYNC_RESERVED_BYTES,
  type BlockEntry,
} from '../../../../core/blocklist/block-list';
import { fakeId } from '../../../support/ids';

const entry = (n: number, overrides: Partial<BlockEntry> = {}): BlockEntry => ({
  id: fakeId(n), kind: 'node', at: 1_700_000_000_000 + n * 1000, note: '', label: '', v: 1_700_000_000_000 + n * 1000, removed: false, ...overrides,
});

describe('block list input', () => {
  it('accepts node and user IDs, trimming white space', () => {
    expect(parseBlockId(`  ${fakeId(1)}\n`)).toEqual({ id: fakeId(1), kind: 'node' });
    expect(parseBlockId(fakeId(2, 'u'))).toEqual({ id: fakeId(2, 'u'), kind: 'user' });
  });

  it('refuses anything else with a message for the field', () => {
    for (const bad of ['', 'x' + fakeId(1).slice(1), fakeId(1).toUpperCase(), fakeId(1) + 'a', 'n0000000000000000000000000']) {
      expect(() => parseBlockId(bad)).toThrowError(expect.objectContaining({ name: 'BlockInputError', field: 'id' }));
    }
  });
});

describe('sharding and quota', () => {
  it('fits 1,000 entries with notes in storage.sync within every quota', () => {
    const entries = Array.from({ length: 1000 }, (_, i) => entry(i, { note: i % 3 ? '' : 'spam node seen on the public room' }));
    const { sync, overflow } = layOut(entries);
    expect(overflow).toEqual([]);
    const sizes = Object.entries(sync).map(([key, value]) => itemBytes(key, value));
    expect(Object.keys(sync).length).toBeLessThanOrEqual(SHARD_COUNT);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(SYNC_QUOTA_BYTES_PER_ITEM);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(SYNC_QUOTA_BYTES - SYNC_RESERVED_BYTES);
  });

  it('overflows the newest entries to local storage instead of dropping any', () => {
    const entries = Array.from({ length: 1000 }, (_, i) => entry(i, { note: 'n'.repeat(150) }));
    const { sync, overflow } = layOut(entries);
    const kept = Object.values(sync).reduce((n, shard) => n + shard.length, 0);
    expect(kept + overflow.length).toBe(1000);
    expect(overflow.length).toBeGreaterThan(0);
    const newestKept = Math.max(...entries.filter((e) => !overflow.includes(e)).map((e) => e.at));
    expect(Math.min(...overflow.map((e) => e.at))).toBeGreaterThan(newestKept - 10 * 60_000);
  });
});

describe('merging concurrent edits', () => {
  it('keeps an unblock from one browser and a block from another', () => {
    const base = [entry(1), entry(2)];
    const browserA = mergeEntries(base, [{ ...entry(1), removed: true, v: entry(1).v + 5000 }]);
    const browserB = mergeEntries(base, [entry(3)]);
    const merged = mergeEntries(browserA, browserB).filter((e) => !e.removed).map((e) => e.id);
    expect(merged.sort()).toEqual([fakeId(2), fakeId(3)].sort());
  });

  it('never lets an older block resurrect a newer unblock, whatever the order', () => {
    const block = entry(1, { v: 100 });
    const unblock = { ...entry(1), removed: true, v: 200 };
    expect(mergeEntries([unblock], [block])[0]!.removed).toBe(true);
    expect(mergeEntries([block], [unblock])[0]!.removed).toBe(true);
    // A block made after the unblock does win.
    expect(mergeEntries([unblock], [entry(1, { v: 300 })])[0]!.removed).toBe(false);
  });

  it('breaks ties toward the tombstone', () => {
    expect(mergeEntries([entry(1, { v: 5 })], [{ ...entry(1), v: 5, removed: true }])[0]!.removed).toBe(true);
  });
});

describe('import and export', () => {
  const now = 1_800_000_000_000;

  it('round-trips an export', () => {
    const entries = [entry(1, { note: 'spam' }), entry(2, { kind: 'user', id: fakeId(2, 'u') }), { ...entry(3), removed: true }];
    const imported = parseBlockListFile(exportBlockList(entries, now), now);
    expect(imported.map((e) => [e.id, e.note, e.at])).toEqual([[fakeId(1), 'spam', entries[0]!.at], [fakeId(2, 'u'), '', entries[1]!.at]]);
  });

  it('refuses malformed files with the reason, all or nothing', () => {
    const valid = JSON.parse(exportBlockList([entry(1)], now));
    const cases: [string, RegExp][] = [
      ['{not json', /not JSON/],
      [JSON.stringify({ entries: [] }), /not a Meshdeck block list/],
      [JSON.stringify({ ...valid, version: 2 }), /version 2/],
      [JSON.stringify({ ...valid, entries: [{ id: fakeId(1) }, { id: 'nope' }] }), /entry 2: "nope" is not a node ID/],
      [JSON.stringify({ ...valid, entries: [{ id: fakeId(1) }, { id: fakeId(1) }] }), /appears twice/],
      [JSON.stringify({ ...valid, entries: [{ id: fakeId(1), note: 'x'.repeat(201) }] }), /note/],
      [JSON.stringify({ ...valid, entries: Array.from({ length: 5001 }, (_, i) => ({ id: fakeId(i) })) }), /at most 5000/],
      ['x'.repeat(1_048_577), /over 1 MiB/],
    ];
    for (const [text, reason] of cases) expect(() => parseBlockListFile(text, now)).toThrowError(reason);
  });

  it('previews what an import adds and changes', () => {
    const current = [entry(1, { note: 'old' }), entry(2), { ...entry(3), removed: true }];
    const incoming = parseBlockListFile(exportBlockList([entry(1, { note: 'new' }), entry(2), entry(3), entry(4)], now), now);
    const preview = previewImport(current, incoming);
    expect(preview.added.map((e) => e.id)).toEqual([fakeId(3), fakeId(4)]);
    expect(preview.changed.map((e) => e.note)).toEqual(['new']);
    expect(preview.unchanged).toBe(1);
  });
});
