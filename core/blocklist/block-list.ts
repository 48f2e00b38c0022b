/**
 * A list of node and user IDs as it lives in `storage.sync`: the block list, and the trust list of
 * trusted-only mode (issue 13), each under its own keys (IdListStorage) with the same layout, merge
 * and checks. Entries are spread over a fixed set of shard items, so that one edit rewrites one small
 * item (never the whole list) and a block list of 1,000 entries fits the sync quotas (102,400 bytes,
 * 8,192 bytes an item, 512 items).
 *
 * Concurrent edits from several browsers merge per entry, not per item: every entry carries a version
 * `v` (the ms time of its last change) and an unblock is kept as a tombstone (`removed`), so the newer
 * change wins and an older block can never resurrect a newer unblock. Ties go to the tombstone.
 * Tombstones are forgotten after 30 days, long after every browser of the user has synced.
 */
import { describeValue } from '../lib/error-text';

type IdKind = 'node' | 'user';
type BlockKind = IdKind;

/** One entry of an ID list (blocked, or trusted). */
export interface IdEntry {
  id: string;
  kind: IdKind;
  /** When it was added to the list: blocked, or trusted (ms since epoch). */
  at: number;
  /** The user's own note. */
  note: string;
  /** What this node or user was last seen as ("user u… · meshdeck/0.1.0"), if ever seen. */
  label: string;
  /** Version: time of the entry's last change; the newer version wins a merge. */
  v: number;
  /** A tombstone: removed from the list (unblocked, untrusted) at `v`. */
  removed: boolean;
}
export type BlockEntry = IdEntry;

export const SHARD_COUNT = 64;
const SHARD_PREFIX = 'meshdeck:bl:';
export const OVERFLOW_KEY = 'meshdeck:bl:overflow';
const TOMBSTONE_TTL_MS = 30 * 24 * 60 * 60_000;
/** Chrome's storage.sync limits (chrome.storage.sync.QUOTA_BYTES…); Firefox's are the same. */
export const SYNC_QUOTA_BYTES = 102_400;
export const SYNC_QUOTA_BYTES_PER_ITEM = 8_192;
/** Room left in the quota for the rest of Meshdeck's sync data (the user key, ~300 bytes). */
export const SYNC_RESERVED_BYTES = 2_048;
/** The trust list's share of storage.sync: ~150 IDs (friends' user IDs; a user's own browsers are trusted without one). */
const TRUST_LIST_SYNC_BYTES = 8_192;

/**
 * Where one ID list lives: shard items `prefix` + 00…63 in storage.sync, one overflow item in
 * storage.local, and the share of the sync quota it may fill. The lists share one quota, so their
 * budgets add up to less than it: a full block list can never push a trust list edit over the quota.
 */
export interface IdListStorage {
  prefix: string;
  overflowKey: string;
  budget: number;
}

/** The block list's keys, unchanged since issue 5: stored lists keep working. */
export const BLOCK_LIST_STORAGE: IdListStorage = {
  prefix: SHARD_PREFIX,
  overflowKey: OVERFLOW_KEY,
  budget: SYNC_QUOTA_BYTES - SYNC_RESERVED_BYTES - TRUST_LIST_SYNC_BYTES,
};
export const TRUST_LIST_STORAGE: IdListStorage = { prefix: 'meshdeck:tl:', overflowKey: 'meshdeck:tl:overflow', budget: TRUST_LIST_SYNC_BYTES };

/** Whether a storage.sync key belongs to one of the ID lists (the background repairs and re-pushes them). */
export const isIdListKey = (key: string): boolean => [BLOCK_LIST_STORAGE, TRUST_LIST_STORAGE].some((list) => key.startsWith(list.prefix));
export const NOTE_MAX_LENGTH = 200;
const LABEL_MAX_LENGTH = 80;

const ID_PATTERN = /^[nu][a-z2-7]{26}$/;

/** An ID typed for either list is not a node or user ID (the name is the block list's, which views map to the field). */
export class BlockInputError extends Error {
  override name = 'BlockInputError';
  readonly field = 'id';
}

/** Trims `input` and checks it is a node (`n…`) or user (`u…`) ID of docs/protocol.md. */
export function parseBlockId(input: string): { id: string; kind: IdKind } {
  const id = input.trim();
  if (!id) throw new BlockInputError('enter a node ID (n…) or a user ID (u…)');
  if (!ID_PATTERN.test(id)) {
    throw new BlockInputError(`"${id.length > 40 ? `${id.slice(0, 40)}…` : id}" is not a node ID (n…) or user ID (u…): 27 characters, a–z and 2–7`);
  }
  return { id, kind: id.startsWith('n') ? 'node' : 'user' };
}

export function shardKey(id: string, prefix = SHARD_PREFIX): string {
  // FNV-1a: stable across browsers and versions, which the shard layout must be.
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return prefix + String(hash % SHARD_COUNT).padStart(2, '0');
}

/**
 * One entry as stored: a compact tuple, so 1,000 entries fit the quota. Times are base-36 strings:
 * shorter than digits, and Chrome counts a number beyond 32 bits as a double ("1700000000000.0").
 */
type StoredEntry = [id: string, at: string, v: string, removed: 0 | 1, note?: string, label?: string];

const time36 = (ms: number): string => Math.round(ms).toString(36);
const fromTime36 = (value: unknown): number | null =>
  typeof value === 'number' ? (Number.isFinite(value) && value >= 0 ? value : null)
  : typeof value === 'string' && /^[0-9a-z]{1,12}$/.test(value) ? parseInt(value, 36)
  : null;

export function encodeEntries(entries: BlockEntry[]): StoredEntry[] {
  return entries.map((e) => {
    const tuple: StoredEntry = [e.id, time36(e.at), time36(e.v), e.removed ? 1 : 0];
    if (e.note || e.label) tuple.push(e.note);
    if (e.label) tuple.push(e.label);
    return tuple;
  });
}

/** Reads a stored shard, skipping anything malformed (a newer build's fields, a corrupted item). */
export function decodeEntries(value: unknown): BlockEntry[] {
  if (!Array.isArray(value)) return [];
  const out: BlockEntry[] = [];
  for (const item of value) {
    if (!Array.isArray(item)) continue;
    const [id, rawAt, rawV, removed, note, label] = item as unknown[];
    const at = fromTime36(rawAt);
    const v = fromTime36(rawV);
    if (typeof id !== 'string' || !ID_PATTERN.test(id) || at === null || v === null) continue;
    out.push({
      id,
      kind: id.startsWith('n') ? 'node' : 'user',
      at,
      v,
      removed: removed === 1,
      note: typeof note === 'string' ? note : '',
      label: typeof label === 'string' ? label : '',
    });
  }
  return out;
}

/** The newer version wins; on a tie the tombstone wins, then the larger note (any fixed rule converges). */
export function newer(a: BlockEntry, b: BlockEntry): BlockEntry {
  if (a.v !== b.v) return a.v > b.v ? a : b;
  if (a.removed !== b.removed) return a.removed ? a : b;
  return a.note >= b.note ? a : b;
}

/** Merges two versions of the same entries, entry by entry. */
export function mergeEntries(...lists: BlockEntry[][]): BlockEntry[] {
  const merged = new Map<string, BlockEntry>();
  for (const list of lists) {
    for (const entry of list) {
      const current = merged.get(entry.id);
      merged.set(entry.id, current ? newer(current, entry) : entry);
    }
  }
  return [...merged.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

export const sameEntries = (a: BlockEntry[], b: BlockEntry[]): boolean =>
  JSON.stringify(encodeEntries(mergeEntries(a))) === JSON.stringify(encodeEntries(mergeEntries(b)));

/** Drops tombstones old enough that every browser has seen them. */
export function dropOldTombstones(entries: BlockEntry[], now: number): BlockEntry[] {
  return entries.filter((e) => !e.removed || now - e.v < TOMBSTONE_TTL_MS);
}

/** Bytes an item costs in storage.sync: its key plus its JSON value, as Chrome counts them. */
export function itemBytes(key: string, value: unknown): number {
  return new TextEncoder().encode(key).length + new TextEncoder().encode(JSON.stringify(value)).length;
}

interface Layout {
  /** Shard key → stored value, for storage.sync. */
  sync: Record<string, StoredEntry[]>;
  /** Entries that did not fit in sync (newest blocks first to overflow), for storage.local. */
  overflow: BlockEntry[];
}

/**
 * Places entries into shards within the sync quotas. When the list outgrows them, the most recently
 * blocked entries go to the local overflow instead: nothing is ever dropped, and the UI warns.
 */
export function layOut(entries: BlockEntry[], { prefix, budget }: Pick<IdListStorage, 'prefix' | 'budget'> = BLOCK_LIST_STORAGE): Layout {
  const sync: Record<string, StoredEntry[]> = {};
  const overflow: BlockEntry[] = [];
  const kept = new Map<string, BlockEntry[]>();
  let total = 0;
  // Oldest first: the entries that fit are the ones synced longest; overflow takes the newest.
  const queue = [...entries].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
  for (const entry of queue) {
    const key = shardKey(entry.id, prefix);
    const shard = [...(kept.get(key) ?? []), entry];
    const before = kept.has(key) ? itemBytes(key, encodeEntries(kept.get(key)!)) : 0;
    const after = itemBytes(key, encodeEntries(shard));
    if (after > SYNC_QUOTA_BYTES_PER_ITEM || total - before + after > budget) {
      overflow.push(entry);
      continue;
    }
    kept.set(key, shard);
    total += after - before;
  }
  for (const [key, shard] of kept) sync[key] = encodeEntries(shard);
  return { sync, overflow };
}

interface BlockListFile {
  format: 'meshdeck-block-list';
  version: 1;
  exportedAt: number;
  entries: { id: string; kind: BlockKind; at: number; note: string; label: string }[];
}

export function exportBlockList(entries: BlockEntry[], now: number): string {
  const file: BlockListFile = {
    format: 'meshdeck-block-list',
    version: 1,
    exportedAt: now,
    entries: entries.filter((e) => !e.removed).map(({ id, kind, at, note, label }) => ({ id, kind, at, note, label })),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

export class ImportError extends Error {
  override name = 'ImportError';
}

export const IMPORT_MAX_BYTES = 1_048_576;
export const IMPORT_MAX_ENTRIES = 5_000;

/**
 * Parses an exported block list. Any problem refuses the whole file with the reason (and, for a bad
 * entry, its position): an import is all or nothing.
 */
export function parseBlockListFile(text: string, now: number): BlockEntry[] {
  if (text.length > IMPORT_MAX_BYTES) throw new ImportError(`the file is over ${IMPORT_MAX_BYTES / 1_048_576} MiB`);
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch (error) {
    throw new ImportError(`the file is not JSON (${(error as Error).message})`);
  }
  const f = file as Partial<BlockListFile> | null;
  if (!f || typeof f !== 'object' || f.format !== 'meshdeck-block-list') throw new ImportError('the file is not a Meshdeck block list export');
  if (f.version !== 1) throw new ImportError(`block list format version ${describeValue(f.version)} is not supported`);
  if (!Array.isArray(f.entries)) throw new ImportError('the file has no entries list');
  if (f.entries.length > IMPORT_MAX_ENTRIES) throw new ImportError(`the file has ${f.entries.length} entries; at most ${IMPORT_MAX_ENTRIES} can be imported`);
  const seen = new Set<string>();
  return f.entries.map((raw, index) => {
    const where = `entry ${index + 1}`;
    if (!raw || typeof raw !== 'object') throw new ImportError(`${where} is not an object`);
    const id = (raw as { id?: unknown }).id;
    if (typeof id !== 'string') throw new ImportError(`${where}: the ID must be text, not ${describeValue(id)}`);
    let parsed;
    try {
      parsed = parseBlockId(id);
    } catch (error) {
      throw new ImportError(`${where}: ${(error as Error).message}`);
    }
    if (seen.has(parsed.id)) throw new ImportError(`${where}: ${parsed.id} appears twice`);
    seen.add(parsed.id);
    const note = (raw as { note?: unknown }).note ?? '';
    if (typeof note !== 'string' || note.length > NOTE_MAX_LENGTH) throw new ImportError(`${where}: the note must be text of at most ${NOTE_MAX_LENGTH} characters`);
    const at = (raw as { at?: unknown }).at;
    const when = typeof at === 'number' && Number.isFinite(at) && at > 0 && at <= now ? at : now;
    const label = (raw as { label?: unknown }).label;
    return { ...parsed, at: when, note, label: typeof label === 'string' ? label.slice(0, LABEL_MAX_LENGTH) : '', v: now, removed: false };
  });
}

export interface ImportPreview {
  /** IDs not blocked now that the import adds. */
  added: BlockEntry[];
  /** Blocked now, with a different note in the file. */
  changed: BlockEntry[];
  unchanged: number;
}

export function previewImport(current: BlockEntry[], incoming: BlockEntry[]): ImportPreview {
  const active = new Map(current.filter((e) => !e.removed).map((e) => [e.id, e]));
  const preview: ImportPreview = { added: [], changed: [], unchanged: 0 };
  for (const entry of incoming) {
    const existing = active.get(entry.id);
    if (!existing) preview.added.push(entry);
    else if (entry.note && entry.note !== existing.note) preview.changed.push({ ...existing, note: entry.note, v: entry.v });
    else preview.unchanged++;
  }
  return preview;
}

export const clampNote = (note: string): string => note.trim().slice(0, NOTE_MAX_LENGTH);
export const clampLabel = (label: string): string => label.slice(0, LABEL_MAX_LENGTH);
