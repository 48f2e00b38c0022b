/**
 * IdentityKeeper alone, over memory stores: one load at a time, a forget that makes the next load read
 * again, and two user keys settled the same way on every browser.
 */
import { describe, expect, it } from 'vitest';
import { IdentityKeeper } from '../../../../core/control/identity-keeper';
import { loadOrCreateIdentity, USER_KEY_STORAGE, type StoredUserKey } from '../../../../core/identity/identity-store';
import { memoryNodeKeyStore } from '../../../../core/identity/node-key-store';
import { memoryStore } from '../../../support/memory-store';

function setup() {
  const local = memoryStore();
  const sync = memoryStore();
  const reports: string[] = [];
  const keeper = new IdentityKeeper({ local, sync, keys: memoryNodeKeyStore(), now: () => Date.UTC(2026, 0, 1), report: (level, _type, message) => reports.push(`${level}: ${message}`) });
  return { keeper, local, sync, reports };
}

/** A user key of another browser, made `ageMs` before ours. */
async function otherUserKey(ours: StoredUserKey, ageMs: number): Promise<StoredUserKey> {
  const sync = memoryStore();
  await loadOrCreateIdentity({ local: memoryStore(), sync, keys: memoryNodeKeyStore(), now: () => ours.createdAt! - ageMs });
  return sync.values.get(USER_KEY_STORAGE) as StoredUserKey;
}

describe('IdentityKeeper', () => {
  it('mints one identity for loads that overlap, and hands the same one until told to forget', async () => {
    const { keeper } = setup();
    const [a, b] = await Promise.all([keeper.load(), keeper.load()]);
    expect(b).toBe(a);
    expect(await keeper.load()).toBe(a);
    keeper.forget();
    const again = await keeper.load();
    expect(again).not.toBe(a);
    // Read again, not minted again: the same keys.
    expect(again.node.pub).toBe(a.node.pub);
    expect(again.user.pub).toBe(a.user.pub);
    expect(await keeper.nodeId()).toMatch(/^n[a-z2-7]{26}$/);
  });

  it('keeps the older of two user keys on every browser: ours written back when it wins, the other taken when it does', async () => {
    const { keeper, sync, reports } = setup();
    await keeper.load();
    const ours = sync.values.get(USER_KEY_STORAGE) as StoredUserKey;
    const newer = await otherUserKey(ours, -60_000);
    await sync.set(USER_KEY_STORAGE, newer);
    await keeper.settleUserKey(ours, newer);
    expect((sync.values.get(USER_KEY_STORAGE) as StoredUserKey).pub).toBe(ours.pub);
    expect(reports.at(-1)).toMatch(/^info: two user keys met: kept this browser's/);

    const older = await otherUserKey(ours, 60_000);
    await sync.set(USER_KEY_STORAGE, older);
    await keeper.settleUserKey(ours, older);
    expect((sync.values.get(USER_KEY_STORAGE) as StoredUserKey).pub).toBe(older.pub);
    expect(reports.at(-1)).toMatch(/^info: two user keys met: this node is re-certified under u/);
    expect((await keeper.load()).user.pub).toBe(older.pub);
  });

  it('writes our key back when sync lost it, and saying so', async () => {
    const { keeper, sync, reports } = setup();
    await keeper.load();
    const ours = sync.values.get(USER_KEY_STORAGE) as StoredUserKey;
    await sync.set(USER_KEY_STORAGE, undefined);
    await keeper.settleUserKey(ours, undefined);
    expect((sync.values.get(USER_KEY_STORAGE) as StoredUserKey).pub).toBe(ours.pub);
    expect(reports).toEqual(['warn: the user key was removed from sync: it was written back']);
  });
});
