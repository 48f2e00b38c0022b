/**
 * Reads and writes an ID list (core/blocklist/block-list.ts) in the storage areas: shards in sync, the
 * overflow in local, under the list's own keys (IdListStorage): the block list, and the trust list of
 * trusted-only mode (issue 13). Every edit is one `sync.set` call touching only the items whose content
 * changed (normally the one shard of the edited entry), so a block costs one of storage.sync's 120
 * writes a minute, and an import of 500 entries costs one too.
 */
import {
  clampLabel,
  clampNote,
  decodeEntries,
  dropOldTombstones,
  encodeEntries,
  itemBytes,
  layOut,
  mergeEntries,
  newer,
  parseBlockId,
  sameEntries,
  BLOCK_LIST_STORAGE,
  type BlockEntry,
  type IdListStorage,
} from './block-list';
import { SerialQueue } from '../lib/serial-queue';
import type { StorageArea } from '../lib/storage';

export interface IdListState {
  /** Listed entries (no tombstones), most recently added first. */
  entries: BlockEntry[];
  /** How many of them live only in this browser's local storage because sync is full. */
  overflow: number;
  /** Bytes the list uses of storage.sync, and the most it may use (its share of the quota: IdListStorage.budget). */
  syncBytes: number;
  syncQuotaBytes: number;
}
export type BlockListState = IdListState;

export class IdListStore {
  /** Edits apply one at a time: each reads, changes and writes. */
  private readonly queue = new SerialQueue();

  constructor(
    private readonly sync: StorageArea,
    private readonly local: StorageArea,
    private readonly now: () => number = Date.now,
    /** Where the list lives; the block list's keys by default. */
    private readonly storage: IdListStorage = BLOCK_LIST_STORAGE,
  ) {}

  /** Every entry, tombstones included. */
  async all(): Promise<BlockEntry[]> {
    return (await this.read()).entries;
  }

  private async read(): Promise<{ entries: BlockEntry[]; stored: Record<string, unknown>; overflow: unknown }> {
    const { prefix, overflowKey } = this.storage;
    const [synced, local] = await Promise.all([this.sync.get(null), this.local.get([overflowKey])]);
    const stored = Object.fromEntries(Object.entries(synced).filter(([key]) => key.startsWith(prefix)));
    const entries = mergeEntries(...Object.values(stored).map(decodeEntries), decodeEntries(local[overflowKey]));
    return { entries, stored, overflow: local[overflowKey] ?? [] };
  }

  async state(): Promise<IdListState> {
    const all = await this.all();
    const { sync, overflow } = layOut(all, this.storage);
    const overflowIds = new Set(overflow.map((e) => e.id));
    const entries = all.filter((e) => !e.removed).sort((a, b) => b.at - a.at);
    return {
      entries,
      overflow: entries.filter((e) => overflowIds.has(e.id)).length,
      syncBytes: Object.entries(sync).reduce((sum, [key, value]) => sum + itemBytes(key, value), 0),
      syncQuotaBytes: this.storage.budget,
    };
  }

  /** IDs currently listed. */
  async ids(): Promise<string[]> {
    return (await this.all()).filter((e) => !e.removed).map((e) => e.id);
  }

  /** Adds an ID (or updates the note of a listed one). Throws BlockInputError for anything but a node or user ID. */
  add(input: string, options: { note?: string; label?: string } = {}): Promise<BlockEntry> {
    const { id, kind } = parseBlockId(input);
    return this.edit(async (all) => {
      const now = this.now();
      const existing = all.find((e) => e.id === id && !e.removed);
      const v = this.version(all, id);
      const entry: BlockEntry = existing
        ? { ...existing, note: options.note !== undefined ? clampNote(options.note) : existing.note, v }
        : { id, kind, at: now, note: clampNote(options.note ?? ''), label: clampLabel(options.label ?? ''), v, removed: false };
      return { changes: [entry], result: entry };
    });
  }

  /** Removes an ID (a tombstone, so other browsers follow); resolves with the removed entry, or null. */
  remove(id: string): Promise<BlockEntry | null> {
    return this.edit(async (all) => {
      const existing = all.find((e) => e.id === id && !e.removed);
      if (!existing) return { changes: [], result: null };
      const tombstone = { ...existing, removed: true, v: this.version(all, id) };
      return { changes: [tombstone], result: existing };
    });
  }

  /**
   * Puts a removed entry back as it was (the `Undo` of an unblock), as a newer version. Only the ID
   * is taken from the caller: the entry is the stored tombstone, or, when none is left, a new entry
   * with the caller's note and label clamped as for any other.
   */
  restore(input: string, fallback: { note?: string; label?: string } = {}): Promise<BlockEntry> {
    return this.edit(async (all) => {
      const { id, kind } = parseBlockId(input);
      const tombstone = all.find((e) => e.id === id);
      const base: BlockEntry = tombstone ?? {
        id,
        kind,
        at: this.now(),
        note: clampNote(typeof fallback.note === 'string' ? fallback.note : ''),
        label: clampLabel(typeof fallback.label === 'string' ? fallback.label : ''),
        v: 0,
        removed: true,
      };
      const restored = { ...base, removed: false, v: this.version(all, id) };
      return { changes: [restored], result: restored };
    });
  }

  setNote(id: string, note: string): Promise<BlockEntry | null> {
    return this.edit(async (all) => {
      const existing = all.find((e) => e.id === id && !e.removed);
      if (!existing) return { changes: [], result: null };
      const updated = { ...existing, note: clampNote(note), v: this.version(all, id) };
      return { changes: [updated], result: updated };
    });
  }

  /** Merges imported entries (already validated): new IDs added, notes of known ones updated. */
  importEntries(incoming: BlockEntry[]): Promise<number> {
    return this.edit(async (all) => {
      const active = new Map(all.filter((e) => !e.removed).map((e) => [e.id, e]));
      const now = this.now();
      const changes: BlockEntry[] = [];
      for (const entry of incoming) {
        const existing = active.get(entry.id);
        if (!existing) changes.push({ ...entry, v: now, removed: false });
        else if (entry.note && entry.note !== existing.note) changes.push({ ...existing, note: entry.note, v: now });
      }
      return { changes, result: changes.length };
    });
  }

  /**
   * Merges another browser's entries (pairing) by the usual rule, entry by entry: the newer version
   * wins, tombstones included. Resolves with how many entries changed here.
   */
  mergeFrom(incoming: BlockEntry[]): Promise<number> {
    return this.edit(async (all) => {
      const current = new Map(all.map((e) => [e.id, e]));
      const changes = incoming.filter((entry) => {
        const mine = current.get(entry.id);
        return !mine || (newer(mine, entry) === entry && JSON.stringify(encodeEntries([mine])) !== JSON.stringify(encodeEntries([entry])));
      });
      return { changes, result: changes.length };
    });
  }

  /** Removes everything (tombstones, so other browsers follow). */
  clear(): Promise<number> {
    return this.edit(async (all) => {
      const now = this.now();
      const changes = all.filter((e) => !e.removed).map((e) => ({ ...e, removed: true, v: now }));
      return { changes, result: changes.length };
    });
  }

  /**
   * Called with storage.onChanged's sync changes. storage.sync resolves concurrent writes per item, so
   * an edit from another browser may have overwritten one of ours in the same shard: merge the old and
   * new value entry by entry and, when the merge differs from what arrived, write it back the way every
   * edit is written (write()): laid out within the quota, so a merged shard that no longer fits its
   * item or the list's share of sync overflows to local instead of failing (issue 23, item 8).
   * Resolves with whether anything needed repairing.
   */
  async repair(changes: Record<string, { oldValue?: unknown; newValue?: unknown }>): Promise<boolean> {
    const now = this.now();
    const lost: BlockEntry[] = [];
    for (const [key, { oldValue, newValue }] of Object.entries(changes)) {
      if (!key.startsWith(this.storage.prefix) || key === this.storage.overflowKey) continue;
      const arrived = decodeEntries(newValue);
      const merged = dropOldTombstones(mergeEntries(decodeEntries(oldValue), arrived), now);
      if (!sameEntries(merged, arrived)) lost.push(...merged);
    }
    if (lost.length === 0) return false;
    await this.queue.run(async () => this.write(await this.read(), lost));
    return true;
  }

  /** A version newer than any this entry had, even within the same millisecond (a quick undo). */
  private version(all: BlockEntry[], id: string): number {
    return Math.max(this.now(), (all.find((e) => e.id === id)?.v ?? 0) + 1);
  }

  private edit<T>(change: (all: BlockEntry[]) => Promise<{ changes: BlockEntry[]; result: T }>): Promise<T> {
    return this.queue.run(async () => {
      const current = await this.read();
      const { changes, result } = await change(current.entries);
      if (changes.length) await this.write(current, changes);
      return result;
    });
  }

  /**
   * Writes only the items whose content changes, all sync items in one `set`. The two areas cannot be
   * written together, so the order keeps every entry in at least one of them should the browser stop
   * between writes (issue 23, item 8): when an entry leaves sync for the overflow, the overflow is
   * first written holding both what it held and what it gains, then sync, then the overflow as laid
   * out. An entry then briefly in both is read once (read() merges the areas entry by entry).
   */
  private async write(current: Awaited<ReturnType<IdListStore['read']>>, changes: BlockEntry[]): Promise<void> {
    const after = layOut(dropOldTombstones(mergeEntries(current.entries, changes), this.now()), this.storage);
    const syncItems: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(current.stored), ...Object.keys(after.sync)])) {
      const next = after.sync[key] ?? [];
      if (JSON.stringify(next) !== JSON.stringify(current.stored[key] ?? [])) syncItems[key] = next;
    }
    const { overflowKey } = this.storage;
    let overflowNow = current.overflow;
    const writeOverflow = async (entries: BlockEntry[]) => {
      const value = encodeEntries(entries);
      if (JSON.stringify(value) === JSON.stringify(overflowNow)) return;
      await this.local.set({ [overflowKey]: value });
      overflowNow = value;
    };
    const heldInSync = new Set(Object.values(current.stored).flatMap(decodeEntries).map((e) => e.id));
    if (Object.keys(syncItems).length && after.overflow.some((e) => heldInSync.has(e.id))) {
      await writeOverflow(mergeEntries(decodeEntries(current.overflow), after.overflow));
    }
    if (Object.keys(syncItems).length) await this.sync.set(syncItems);
    await writeOverflow(after.overflow);
  }
}

/** The block list: an IdListStore on the block list's keys, in its own words. */
export class BlockListStore extends IdListStore {
  constructor(sync: StorageArea, local: StorageArea, now?: () => number) {
    super(sync, local, now, BLOCK_LIST_STORAGE);
  }

  /** IDs currently blocked. */
  blockedIds(): Promise<string[]> {
    return this.ids();
  }

  block(input: string, options: { note?: string; label?: string } = {}): Promise<BlockEntry> {
    return this.add(input, options);
  }

  unblock(id: string): Promise<BlockEntry | null> {
    return this.remove(id);
  }
}
