import { describe, expect, it } from 'vitest';
import {
  BLOCK_LIST_STORAGE,
  exportBlockList,
  isIdListKey,
  itemBytes,
  OVERFLOW_KEY,
  parseBlockListFile,
  shardKey,
  SYNC_QUOTA_BYTES,
  SYNC_RESERVED_BYTES,
  TRUST_LIST_STORAGE,
  type BlockEntry,
  type IdListStorage,
} from '../../../../core/blocklist/block-list';
import { BlockListStore, IdListStore } from '../../../../core/blocklist/block-list-store';
import { memoryArea } from '../../../support/memory-store';
import { fakeId } from '../../../support/ids';

const area = memoryArea;

let clock = 1_700_000_000_000;
const tick = () => (clock += 1000);

describe('BlockListStore', () => {
  it('writes one sync item per block action', async () => {
    const sync = area();
    const store = new BlockListStore(sync, area(), tick);
    for (let i = 0; i < 20; i++) {
      const before = sync.writes;
      await store.block(fakeId(i));
      expect(sync.writes - before).toBe(1);
    }
    const before = sync.writes;
    await store.unblock(fakeId(3));
    await store.setNote(fakeId(4), 'noisy');
    expect(sync.writes - before).toBe(2);
    expect((await store.state()).entries).toHaveLength(19);
  });

  it('imports 500 entries in a single write', async () => {
    const sync = area();
    const store = new BlockListStore(sync, area(), tick);
    const file = exportBlockList(
      Array.from({ length: 500 }, (_, i): BlockEntry => ({ id: fakeId(i), kind: 'node', at: clock, note: '', label: '', v: clock, removed: false })),
      clock,
    );
    expect(await store.importEntries(parseBlockListFile(file, clock))).toBe(500);
    expect(sync.writes).toBe(1);
    expect((await store.blockedIds()).length).toBe(500);
  });

  it('overflows to local storage when sync is full, and says how many', async () => {
    const sync = area();
    const local = area();
    const store = new BlockListStore(sync, local, tick);
    const entries = Array.from({ length: 1000 }, (_, i): BlockEntry => ({ id: fakeId(i), kind: 'node', at: clock + i, note: 'x'.repeat(150), label: '', v: clock, removed: false }));
    await store.importEntries(entries);
    const state = await store.state();
    expect(state.entries).toHaveLength(1000);
    expect(state.overflow).toBeGreaterThan(0);
    expect(local.data.has(OVERFLOW_KEY)).toBe(true);
  });

  it('merges a concurrent edit that storage.sync resolved by overwriting the shard', async () => {
    // Two browsers' sync areas; "sync" delivers each item's last write to the other, overwriting it.
    const syncA = area();
    const syncB = area();
    const a = new BlockListStore(syncA, area(), tick);
    const b = new BlockListStore(syncB, area(), tick);
    const x = fakeId(1);
    await a.block(x);
    for (const [key, value] of syncA.data) syncB.data.set(key, structuredClone(value));
    // Find an ID that lands in the same shard as x, so both edits touch the same item.
    const { shardKey } = await import('../../../../core/blocklist/block-list');
    let n = 2;
    while (shardKey(fakeId(n)) !== shardKey(x)) n++;
    const y = fakeId(n);
    await a.unblock(x);
    await b.block(y);
    // Sync delivers A's shard to B, overwriting B's version of the same item.
    syncB.onChanged.push((changes) => void b.repair(changes));
    const key = shardKey(x);
    await syncB.set({ [key]: structuredClone(syncA.data.get(key)) });
    await new Promise((r) => setTimeout(r, 10));
    expect((await b.blockedIds()).sort()).toEqual([y]);
    // And B's repaired item, delivered back to A, brings A to the same list.
    syncA.onChanged.push((changes) => void a.repair(changes));
    await syncA.set({ [key]: structuredClone(syncB.data.get(key)) });
    await new Promise((r) => setTimeout(r, 10));
    expect(await a.blockedIds()).toEqual([y]);
  });

  it('restores an unblocked entry with its note (undo)', async () => {
    const store = new BlockListStore(area(), area(), tick);
    await store.block(fakeId(1), { note: 'keep me' });
    const removed = await store.unblock(fakeId(1));
    expect(removed).toMatchObject({ note: 'keep me' });
    // Only the ID counts: the note comes from the stored tombstone, not from what the caller says.
    await store.restore(fakeId(1), { note: 'forged note' });
    expect((await store.state()).entries[0]).toMatchObject({ id: fakeId(1), note: 'keep me' });
  });

  it('restores with a clamped note when no tombstone is left, and refuses what is not an ID', async () => {
    const store = new BlockListStore(area(), area(), tick);
    await store.restore(fakeId(2), { note: 'n'.repeat(500), label: 'l'.repeat(500) });
    const [entry] = (await store.state()).entries;
    expect(entry!.note.length).toBe(200);
    await expect(store.restore('u-not-an-id')).rejects.toMatchObject({ name: 'BlockInputError' });
  });
});

describe('IdListStore: the trust list beside the block list', () => {
  const trustStore = (sync: ReturnType<typeof area>, local = area()) => new IdListStore(sync, local, tick, TRUST_LIST_STORAGE);

  it('keeps the block list on its keys of old and the trust list on keys of its own', async () => {
    const sync = area();
    const local = area();
    const blocks = new BlockListStore(sync, local, tick);
    const trusts = trustStore(sync, local);
    await blocks.block(fakeId(1));
    await trusts.add(fakeId(2, 'u'));
    expect([...sync.data.keys()].sort()).toEqual([shardKey(fakeId(1)), shardKey(fakeId(2, 'u'), TRUST_LIST_STORAGE.prefix)].sort());
    expect(shardKey(fakeId(1))).toMatch(/^meshdeck:bl:\d\d$/);
    expect(shardKey(fakeId(2, 'u'), TRUST_LIST_STORAGE.prefix)).toMatch(/^meshdeck:tl:\d\d$/);
    expect(await blocks.blockedIds()).toEqual([fakeId(1)]);
    expect(await trusts.ids()).toEqual([fakeId(2, 'u')]);
    expect((await trusts.state()).syncQuotaBytes).toBe(TRUST_LIST_STORAGE.budget);
  });

  it('reads a block list stored before the trust list existed', async () => {
    const sync = area();
    // As issue 5's build wrote it: a shard under meshdeck:bl:NN.
    sync.data.set(shardKey(fakeId(3)), [[fakeId(3), (clock - 5000).toString(36), (clock - 5000).toString(36), 0, 'old note']]);
    expect((await new BlockListStore(sync, area(), tick).state()).entries).toMatchObject([{ id: fakeId(3), note: 'old note' }]);
    expect(await trustStore(sync).ids()).toEqual([]);
  });

  it('overflows the trust list to its own local item when its share of sync is full', async () => {
    const local = area();
    const trusts = trustStore(area(), local);
    await trusts.importEntries(Array.from({ length: 300 }, (_, i): BlockEntry => ({ id: fakeId(i), kind: 'node', at: clock + i, note: '', label: '', v: clock, removed: false })));
    const state = await trusts.state();
    expect(state.entries).toHaveLength(300);
    expect(state.overflow).toBeGreaterThan(0);
    expect(state.syncBytes).toBeLessThanOrEqual(TRUST_LIST_STORAGE.budget);
    expect([...local.data.keys()]).toEqual([TRUST_LIST_STORAGE.overflowKey]);
  });

  it('merges two browsers\' concurrent trust list edits of one shard, and repairs nothing of the block list', async () => {
    const syncA = area();
    const syncB = area();
    const a = trustStore(syncA);
    const b = trustStore(syncB);
    const x = fakeId(1);
    await a.add(x);
    for (const [key, value] of syncA.data) syncB.data.set(key, structuredClone(value));
    let n = 2;
    while (shardKey(fakeId(n), TRUST_LIST_STORAGE.prefix) !== shardKey(x, TRUST_LIST_STORAGE.prefix)) n++;
    const y = fakeId(n);
    await a.remove(x);
    await b.add(y);
    syncB.onChanged.push((changes) => void b.repair(changes));
    const key = shardKey(x, TRUST_LIST_STORAGE.prefix);
    await syncB.set({ [key]: structuredClone(syncA.data.get(key)) });
    await new Promise((r) => setTimeout(r, 10));
    expect(await b.ids()).toEqual([y]);
    // A block list change is none of the trust list's business, and the other way round.
    expect(await b.repair({ [shardKey(x)]: { oldValue: [[x, '1', '1', 0]], newValue: [] } })).toBe(false);
    expect(await new BlockListStore(syncB, area(), tick).repair({ [key]: { oldValue: [[x, '1', '1', 0]], newValue: [] } })).toBe(false);
  });

  it('shares the sync quota: both lists full fit in it, with the room kept for the user key', () => {
    expect(BLOCK_LIST_STORAGE.budget + TRUST_LIST_STORAGE.budget + SYNC_RESERVED_BYTES).toBe(SYNC_QUOTA_BYTES);
    // The background repairs (and re-pushes) a change of either list, and of nothing else.
    expect(['meshdeck:bl:07', 'meshdeck:tl:07', 'meshdeck:userKey'].map(isIdListKey)).toEqual([true, true, false]);
  });
});

describe('IdListStore: crashes and repairs (issue 23, item 8)', () => {
  /** A list whose share of sync holds one short entry and no more. */
  const tiny: IdListStorage = { prefix: 'meshdeck:xl:', overflowKey: 'meshdeck:xl:overflow', budget: 100 };
  const syncBytes = (sync: ReturnType<typeof area>) =>
    [...sync.data].filter(([key]) => key.startsWith(tiny.prefix)).reduce((sum, [key, value]) => sum + itemBytes(key, value), 0);

  it('keeps an entry moving from sync to the overflow when the browser stops between the two writes', async () => {
    const sync = area();
    const local = area();
    const store = new IdListStore(sync, local, tick, tiny);
    const x = fakeId(1);
    await store.add(x);
    expect(sync.data.has(shardKey(x, tiny.prefix))).toBe(true);
    // The browser stops after the first write of the next edit: no write after it lands.
    let writes = 0;
    const crashAfterOne = (target: ReturnType<typeof area>) => {
      const set = target.set.bind(target);
      target.set = async (items) => {
        if (writes++ > 0) throw new Error('the browser stopped');
        await set(items);
      };
    };
    crashAfterOne(sync);
    crashAfterOne(local);
    // A long note no longer fits the share of sync: the entry moves to the overflow.
    await expect(store.setNote(x, 'n'.repeat(150))).rejects.toThrow('the browser stopped');
    const after = new IdListStore(area(sync.data), area(local.data), tick, tiny);
    expect(await after.ids()).toEqual([x]);
  });

  it('reads an entry held in both areas once, and its newer version', async () => {
    const sync = area();
    const local = area();
    const x = fakeId(1);
    sync.data.set(shardKey(x, tiny.prefix), [[x, clock.toString(36), clock.toString(36), 0, 'old']]);
    local.data.set(tiny.overflowKey, [[x, clock.toString(36), (clock + 1).toString(36), 0, 'new']]);
    expect((await new IdListStore(sync, local, tick, tiny).state()).entries).toMatchObject([{ id: x, note: 'new' }]);
  });

  it('writes a repaired shard within the quota, overflowing what does not fit', async () => {
    const sync = area();
    const local = area();
    const store = new IdListStore(sync, local, tick, tiny);
    const x = fakeId(1);
    let n = 2;
    while (shardKey(fakeId(n), tiny.prefix) !== shardKey(x, tiny.prefix)) n++;
    const y = fakeId(n);
    await store.add(y);
    const key = shardKey(x, tiny.prefix);
    // Another browser's write of the same shard (holding x) overwrote ours (holding y): both belong.
    const ours = sync.data.get(key);
    const theirs = [[x, clock.toString(36), clock.toString(36), 0]];
    sync.data.set(key, theirs);
    expect(await store.repair({ [key]: { oldValue: ours, newValue: theirs } })).toBe(true);
    expect((await store.ids()).sort()).toEqual([x, y].sort());
    expect(syncBytes(sync)).toBeLessThanOrEqual(tiny.budget);
    expect((await store.state()).overflow).toBe(1);
  });
});
