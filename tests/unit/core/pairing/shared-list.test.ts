import { describe, expect, it } from 'vitest';
import type { BlockEntry } from '../../../../core/blocklist/block-list';
import { generateExportableKeyPair } from '../../../../core/identity/identity';
import { openList, sealList, sharedListKeys } from '../../../../core/pairing/shared-list';

const FROM = 'n' + 'a'.repeat(26);
const entry = (id: string, v: number, removed = false): BlockEntry => ({ id, kind: 'node', at: v, v, removed, note: 'why', label: '' });

describe('shared block list', () => {
  it('opens for the same user key, with tombstones, and names the channel the same way every time', async () => {
    const user = await generateExportableKeyPair();
    const keys = await sharedListKeys(user);
    const again = await sharedListKeys(user);
    expect(keys.channel).toBe(again.channel);
    expect(keys.channel).toMatch(/^[a-z2-7]{26}$/);
    const entries = [entry('n' + 'b'.repeat(26), 5_000), entry('n' + 'c'.repeat(26), 6_000, true)];
    const sealed = await sealList(keys, FROM, entries, 7_000);
    expect(JSON.stringify(sealed)).not.toContain('b'.repeat(26));
    const opened = await openList(again, sealed);
    expect(opened?.from).toBe(FROM);
    expect(opened?.entries.map((e) => [e.id, e.removed])).toEqual([
      ['n' + 'b'.repeat(26), false],
      ['n' + 'c'.repeat(26), true],
    ]);
  });

  it('another user key neither finds the channel nor opens the list', async () => {
    const keys = await sharedListKeys(await generateExportableKeyPair());
    const other = await sharedListKeys(await generateExportableKeyPair());
    expect(other.channel).not.toBe(keys.channel);
    expect(await openList(other, await sealList(keys, FROM, [entry('n' + 'b'.repeat(26), 5_000)], 1))).toBeNull();
  });

  it('drops a list whose fields were changed after signing, or that is not a list at all', async () => {
    const keys = await sharedListKeys(await generateExportableKeyPair());
    const sealed = await sealList(keys, FROM, [entry('n' + 'b'.repeat(26), 5_000)], 1);
    expect(await openList(keys, { ...sealed, from: 'n' + 'z'.repeat(26) })).toBeNull();
    expect(await openList(keys, { ...sealed, at: 2 })).toBeNull();
    expect(await openList(keys, { ...sealed, box: sealed.box.slice(0, -2) + 'AA' })).toBeNull();
    for (const junk of [null, 'text', { from: FROM }, { ...sealed, sig: 7 }]) expect(await openList(keys, junk)).toBeNull();
  });
});
