/**
 * The controller and the identity: one node key certified under one user key, across a host that
 * boots mid-start, keys that arrive through sync, and a host that holds another key.
 */
import { describe, expect, it } from 'vitest';
import { Controller } from '../../../../core/control/controller';
import { loadOrCreateIdentity, USER_KEY_STORAGE, type SyncArrivals } from '../../../../core/identity/identity-store';
import { memoryNodeKeyStore, type NodeKeyStore } from '../../../../core/identity/node-key-store';
import { memoryStore } from '../../../support/memory-store';
import { fakeHost, setupController as setup } from '../../../support/controller-bench';
import type { HostConfig } from '../../../../core/control/protocol';
import { defaultSettings } from '../../../../core/settings/settings';
import { memoryArea } from '../../../support/memory-store';
import { until } from '../../../support/until';

describe('Controller: the identity', () => {
  it('mints one identity even when the host boots while the start-up push runs', async () => {
    const { controller, configured } = setup();
    const [boot] = await Promise.all([controller.handle({ type: 'host:boot' }), controller.ensureHost()]);
    expect(configured[0]?.identity.node.pub).toBe(boot.identity.node.pub);
  });

  it('certifies the node key the host holds on first run, though the minted user key is heard back from sync mid-load', async () => {
    const keys = memoryNodeKeyStore();
    const configured: HostConfig[] = [];
    const sync = memoryArea();
    const controller = new Controller({
      local: memoryArea(),
      sync,
      host: fakeHost({ configure: async (config) => void configured.push(config) }),
      keys,
      defaults: defaultSettings(),
    });
    // As in the extension: the background hears its own storage.sync writes (storage.onChanged).
    sync.onChanged.push((changes) => void controller.onStorageChanged('sync', changes));
    await controller.ensureHost();
    await until(() => configured.length >= 2);
    const held = await keys.load();
    const heldPub = Buffer.from(await crypto.subtle.exportKey('raw', held!.publicKey)).toString('base64url');
    for (const config of configured) expect(config.identity.node.pub).toBe(heldPub);
  });

  it('re-certifies this node under a user key that arrives through sync', async () => {
    const { controller, sync, configured } = setup();
    const first = await controller.handle({ type: 'host:boot' });
    const ours = sync.data.get(USER_KEY_STORAGE) as { createdAt: number };
    // Another browser's key, older than ours: it wins, and this node is re-certified under it.
    const otherSync = memoryStore();
    await loadOrCreateIdentity({ local: memoryStore(), sync: otherSync, keys: memoryNodeKeyStore(), now: () => ours.createdAt - 1000 });
    const older = otherSync.values.get(USER_KEY_STORAGE) as { pub: string };
    const change = { [USER_KEY_STORAGE]: { oldValue: ours, newValue: older } };
    await sync.set({ [USER_KEY_STORAGE]: older });
    await controller.onStorageChanged('sync', change);
    const pushed = configured.at(-1)!.identity;
    expect(pushed.node.pub).toBe(first.identity.node.pub);
    expect(pushed.user.pub).toBe(older.pub);
    expect(pushed.cert.sig).not.toBe(first.identity.cert.sig);
  });

  it('keeps its older user key when a newer one from another browser overwrites it, and writes it back', async () => {
    const { controller, sync, configured, logged } = setup();
    const first = await controller.handle({ type: 'host:boot' });
    const ours = sync.data.get(USER_KEY_STORAGE) as { pub: string; createdAt: number };
    const otherSync = memoryStore();
    await loadOrCreateIdentity({ local: memoryStore(), sync: otherSync, keys: memoryNodeKeyStore(), now: () => ours.createdAt + 1000 });
    const newer = otherSync.values.get(USER_KEY_STORAGE);
    await sync.set({ [USER_KEY_STORAGE]: newer });
    await controller.onStorageChanged('sync', { [USER_KEY_STORAGE]: { oldValue: ours, newValue: newer } });
    expect((sync.data.get(USER_KEY_STORAGE) as { pub: string }).pub).toBe(ours.pub);
    expect(configured.at(-1)!.identity.user.pub).toBe(first.identity.user.pub);
    expect(logged.some((line) => /two user keys met: kept this browser's/.test(line.message))).toBe(true);
  });

  it('waits for sync to deliver the user key before minting one (a fresh profile of an existing user)', async () => {
    const existing = memoryStore();
    await loadOrCreateIdentity({ local: memoryStore(), sync: existing, keys: memoryNodeKeyStore() });
    const theirKey = existing.values.get(USER_KEY_STORAGE) as { pub: string };
    const shared = new Map<string, unknown>();
    // Sync delivers the key 50 ms after this profile first looked.
    const arrivals: SyncArrivals = {
      waitFor: (key) =>
        new Promise((resolve) =>
          setTimeout(() => {
            shared.set(key, theirKey);
            resolve(theirKey);
          }, 50),
        ),
    };
    const { controller, sync } = setup({ arrivals, sync: shared });
    const boot = await controller.handle({ type: 'host:boot' });
    expect(boot.identity.user.pub).toBe(theirKey.pub);
    expect(sync.writes).toBe(0);
  });

  it('re-certifies the key the profile holds when the host refuses a configuration for holding another', async () => {
    // A store whose key the test replaces, as an older build's second service worker did.
    let heldPair: CryptoKeyPair | undefined;
    const keys: NodeKeyStore = { load: async () => heldPair, keepFirst: async (pair) => (heldPair ??= pair) };
    const configured: HostConfig[] = [];
    const host = fakeHost({
      configure: async (config) => {
        const held = await keys.load();
        const heldPub = held && Buffer.from(await crypto.subtle.exportKey('raw', held.publicKey)).toString('base64url');
        if (heldPub !== config.identity.node.pub) throw Object.assign(new Error('the node key held here is not the one certified'), { name: 'IdentityError' });
        configured.push(config);
      },
    });
    const controller = new Controller({ local: memoryArea(), sync: memoryArea(), host, keys, defaults: defaultSettings() });
    await controller.ensureHost();
    expect(configured).toHaveLength(1);
    // The profile's key store now holds another key than the one the controller certified.
    heldPair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    await controller.ensureHost().catch(() => undefined);
    await controller.handle({ type: 'host:alive', failure: 'the node key held here is not the one certified' });
    await controller.checkHost();
    expect(configured).toHaveLength(2);
    const held = (await keys.load())!;
    expect(configured[1]!.identity.node.pub).toBe(Buffer.from(await crypto.subtle.exportKey('raw', held.publicKey)).toString('base64url'));
  });
});
