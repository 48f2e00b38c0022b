import { describe, expect, it } from 'vitest';
import { OVERFLOW_KEY, parseBlockListFile, exportBlockList, type BlockEntry } from '../../../../core/blocklist/block-list';
import { BlockListStore } from '../../../../core/blocklist/block-list-store';
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
