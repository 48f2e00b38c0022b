/**
 * The background's side of pairing (core/control/pairing-control.ts): here, the shared block lists
 * heard from paired browsers. The exchange itself: tests/unit/core/pairing/.
 */
import { describe, expect, it } from 'vitest';
import type { BlockEntry } from '../../../../core/blocklist/block-list';
import { BlockListStore } from '../../../../core/blocklist/block-list-store';
import { PairingControl, PAIRED_STORAGE, SHARED_HEARD_STORAGE, SHARED_SENDERS_KEPT } from '../../../../core/control/pairing-control';
import type { HostHandle } from '../../../../core/control/host-handle';
import { generateExportableKeyPair } from '../../../../core/identity/identity';
import { USER_KEY_STORAGE, type StoredUserKey } from '../../../../core/identity/identity-store';
import type { KeyValueStore } from '../../../../core/lib/storage';
import { sealList, SHARED_LIST_AHEAD_MS, sharedListKeys } from '../../../../core/pairing/shared-list';
import { memoryArea, memoryStore } from '../../../support/memory-store';

const OWN = 'n' + 'o'.repeat(26);
const OTHER = 'n' + 'b'.repeat(26);
const BLOCKED = 'n' + 'x'.repeat(26);
const T0 = Date.UTC(2025, 0, 1);
const entry = (v: number, removed: boolean): BlockEntry => ({ id: BLOCKED, kind: 'node', at: 1_000, v, removed, note: '', label: '' });

/** A background (after a restart: a new one over the same storage) with its block list, paired under `userKey`. */
function background(userKey: StoredUserKey, local: KeyValueStore, now: () => number) {
  const sync = memoryStore();
  void sync.set(USER_KEY_STORAGE, userKey);
  const blockList = new BlockListStore(memoryArea(), memoryArea(), now);
  const reports: string[] = [];
  const control = new PairingControl({
    host: {} as HostHandle,
    blockList,
    sync,
    local,
    now,
    nodeId: async () => OWN,
    changed: async () => undefined,
    listChanged: async () => undefined,
    report: (_level, _type, message) => void reports.push(message),
  });
  return { control, blockList, reports };
}

describe('PairingControl: shared block lists heard (issue 23, item 7)', () => {
  it('refuses a list older than the newest taken from its sender, also after the background restarts', async () => {
    const userKey = (await generateExportableKeyPair()) as StoredUserKey;
    const keys = await sharedListKeys(userKey);
    const local = memoryStore();
    await local.set(PAIRED_STORAGE, { since: T0 });
    let now = T0 + 10_000;
    // The other browser blocked X, then lifted the block: two lists, the later with the tombstone.
    const blockedList = await sealList(keys, OTHER, [entry(T0, false)], T0);
    const liftedList = await sealList(keys, OTHER, [entry(T0 + 5_000, true)], T0 + 5_000);

    const first = background(userKey, local, () => now);
    expect(await first.control.listHeard(liftedList, OWN)).toBe(true);
    expect(await first.blockList.ids()).toEqual([]);

    // Later, the tombstone is gone here (dropped after TOMBSTONE_TTL_MS, or this browser's list was
    // cleared), and the background restarted; a relay replays the earlier list.
    now += 60_000;
    const later = background(userKey, local, () => now);
    // Its verdict false: the reader waits on for a newer list rather than end on this one.
    expect(await later.control.listHeard(blockedList, OWN)).toBe(false);
    expect(await later.blockList.ids()).toEqual([]);
    expect(later.reports.at(-1)).toMatch(/not merged: older than the last list/);
    // The same list again is no news (a read waits on past it); a newer one is taken.
    expect(await later.control.listHeard(liftedList, OWN)).toBe(false);
    const newer = await sealList(keys, OTHER, [entry(now, false)], now);
    expect(await later.control.listHeard(newer, OWN)).toBe(true);
    expect(await later.blockList.ids()).toEqual([BLOCKED]);
    expect(await local.get(SHARED_HEARD_STORAGE)).toEqual({ [OTHER]: now });
  });

  it('refuses a list dated ahead (it would hold back its sender’s later ones), and remembers a bounded number of senders', async () => {
    const userKey = (await generateExportableKeyPair()) as StoredUserKey;
    const keys = await sharedListKeys(userKey);
    const local = memoryStore();
    await local.set(PAIRED_STORAGE, { since: T0 });
    const now = T0 + 10_000;
    const { control, blockList } = background(userKey, local, () => now);
    expect(await control.listHeard(await sealList(keys, OTHER, [entry(now, false)], now + SHARED_LIST_AHEAD_MS + 1), OWN)).toBe(false);
    // Sealed by another user key: forged.
    const stranger = await sharedListKeys((await generateExportableKeyPair()) as StoredUserKey);
    expect(await control.listHeard(await sealList({ ...stranger, channel: keys.channel }, OTHER, [], now), OWN)).toBe(false);
    expect(await blockList.ids()).toEqual([]);
    expect(await local.get(SHARED_HEARD_STORAGE)).toBeUndefined();

    const letter = (i: number) => 'abcdefghijklmnopqrstuvwxyz234567'[i % 32];
    const senders = Array.from({ length: SHARED_SENDERS_KEPT + 3 }, (_, i) => `n${'a'.repeat(24)}${letter(i >> 5)}${letter(i)}`);
    for (const [i, from] of senders.entries()) await control.listHeard(await sealList(keys, from, [], T0 + i), OWN);
    const kept = (await local.get(SHARED_HEARD_STORAGE)) as Record<string, number>;
    expect(Object.keys(kept)).toHaveLength(SHARED_SENDERS_KEPT);
    // The longest silent are forgotten first.
    expect(kept[senders[0]!]).toBeUndefined();
    expect(kept[senders.at(-1)!]).toBe(T0 + senders.length - 1);
  });

  it('dates this browser’s own lists forward even when the clock steps back, so readers take the newer one', async () => {
    const userKey = (await generateExportableKeyPair()) as StoredUserKey;
    const local = memoryStore();
    await local.set(PAIRED_STORAGE, { since: T0 });
    let now = T0 + 60_000;
    const { control } = background(userKey, local, () => now);
    const first = await control.shared(OWN, [entry(T0, false)]);
    now -= 30_000;
    const second = await control.shared(OWN, [entry(T0, true)]);
    expect(second!.value.at).toBeGreaterThan(first!.value.at);
  });
});
