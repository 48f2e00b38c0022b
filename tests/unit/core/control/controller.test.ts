import { describe, expect, it } from 'vitest';
import { Controller, SETTINGS_STORAGE, type HostHandle } from '../../../../core/control/controller';
import type { HostConfig } from '../../../../core/control/protocol';
import { defaultSettings } from '../../../../core/control/settings';
import { memoryArea } from '../../../support/memory-store';

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup() {
  const configured: HostConfig[] = [];
  let ensured = 0;
  const requested: string[] = [];
  const host: HostHandle = {
    ensure: async () => void ensured++,
    exists: async () => true,
    configure: async (config) => void configured.push(config),
    request: async (action) => {
      requested.push(action.type);
      return null as never;
    },
  };
  const local = memoryArea();
  const sync = memoryArea();
  const controller = new Controller({ local, sync, host, defaults: defaultSettings() });
  return { controller, local, sync, configured, requested, ensured: () => ensured };
}

describe('Controller', () => {
  it('answers with build defaults until the user changes something', async () => {
    const { controller } = setup();
    expect(await controller.handle({ type: 'settings:get' })).toMatchObject({ enabled: true, signalingUrl: 'http://127.0.0.1:9000/peerjs' });
  });

  it('stores an update as desired state and pushes it to the host', async () => {
    const { controller, local, configured } = setup();
    const next = await controller.handle({ type: 'settings:update', patch: { enabled: false } });
    expect(next.enabled).toBe(false);
    expect(local.data.get(SETTINGS_STORAGE)).toMatchObject({ enabled: false });
    await until(() => configured.length > 0);
    expect(configured.at(-1)?.settings.enabled).toBe(false);
  });

  it('refuses an invalid update and keeps the stored settings', async () => {
    const { controller, local } = setup();
    await expect(controller.handle({ type: 'settings:update', patch: { signalingUrl: 'not a url' } })).rejects.toThrow(/not a URL/);
    expect(local.data.has(SETTINGS_STORAGE)).toBe(false);
  });

  it('mints one identity even when the host boots while the start-up push runs', async () => {
    const { controller, configured } = setup();
    const [boot] = await Promise.all([controller.handle({ type: 'host:boot' }), controller.ensureHost()]);
    expect(configured[0]?.identity.node.pub).toBe(boot.identity.node.pub);
  });

  it('applies quick successive toggles in order', async () => {
    const { controller } = setup();
    await Promise.all([
      controller.handle({ type: 'settings:update', patch: { enabled: false } }),
      controller.handle({ type: 'settings:update', patch: { maxPeers: 3 } }),
    ]);
    expect(await controller.settings()).toMatchObject({ enabled: false, maxPeers: 3 });
  });

  it('blocks with one sync write, validates input, refuses its own IDs and hands the host the list', async () => {
    const { controller, sync, configured } = setup();
    const boot = await controller.handle({ type: 'host:boot' });
    const { Identity } = await import('../../../../core/identity/identity');
    const self = await Identity.fromStored(boot.identity);
    const other = 'n' + 'b'.repeat(26);
    const writesBefore = sync.writes;
    const state = await controller.handle({ type: 'block:add', id: `  ${other} `, note: 'spam' });
    expect(state.entries.map((e) => [e.id, e.note])).toEqual([[other, 'spam']]);
    expect(sync.writes - writesBefore).toBe(1);
    await expect(controller.handle({ type: 'block:add', id: 'nXYZ' })).rejects.toMatchObject({ name: 'BlockInputError', field: 'id' });
    await expect(controller.handle({ type: 'block:add', id: self.nodeId })).rejects.toThrow(/cannot block itself/);
    await expect(controller.handle({ type: 'block:add', id: self.userId })).rejects.toThrow(/your own user ID/);
    await until(() => configured.at(-1)?.blockList.entries.length === 1);
    expect(configured.at(-1)?.blockList.entries.map((e) => e.id)).toEqual([other]);
    const { removed } = await controller.handle({ type: 'block:remove', id: other });
    expect((await controller.handle({ type: 'block:list' })).entries).toEqual([]);
    expect((await controller.handle({ type: 'block:restore', entry: removed! })).entries.map((e) => e.note)).toEqual(['spam']);
  });

  it('imports all or nothing', async () => {
    const { controller } = setup();
    const { exportBlockList } = await import('../../../../core/blocklist/block-list');
    const file = exportBlockList([{ id: 'n' + 'c'.repeat(26), kind: 'node', at: 1, note: '', label: '', v: 1, removed: false }], Date.now());
    expect((await controller.handle({ type: 'block:import', text: file })).imported).toBe(1);
    await expect(controller.handle({ type: 'block:import', text: '{"format":"meshdeck-block-list","version":1,"entries":[{"id":"bad"}]}' })).rejects.toThrow(/entry 1/);
    expect((await controller.handle({ type: 'block:list' })).entries).toHaveLength(1);
  });

  it('passes node actions to the host after making sure it exists', async () => {
    const { controller, requested, ensured } = setup();
    await controller.handle({ type: 'node:refresh' });
    expect(requested).toEqual(['node:refresh']);
    expect(ensured()).toBe(1);
  });

  it('keeps the last 24 hours of minute points', async () => {
    const { controller } = setup();
    const point = { at: 0, peers: 1, rateIn: 0, rateOut: 0, medianRttMs: 1, worstRttMs: 1, loss: 0 };
    for (let i = 0; i < 3; i++) await controller.handle({ type: 'history:append', point: { ...point, at: i } });
    expect((await controller.config()).daily.map((p) => p.at)).toEqual([0, 1, 2]);
  });

  it('re-certifies this node under a user key that arrives through sync', async () => {
    const { controller, sync, configured } = setup();
    const first = await controller.handle({ type: 'host:boot' });
    const { loadOrCreateIdentity, USER_KEY_STORAGE } = await import('../../../../core/identity/identity');
    const { memoryStore } = await import('../../../support/memory-store');
    const other = await loadOrCreateIdentity({ local: memoryStore(), sync: memoryStore() });
    const change = { [USER_KEY_STORAGE]: { oldValue: first.identity.user, newValue: other.user } };
    await sync.set({ [USER_KEY_STORAGE]: other.user });
    await controller.onStorageChanged('sync', change);
    const pushed = configured.at(-1)!.identity;
    expect(pushed.node.pub).toBe(first.identity.node.pub);
    expect(pushed.user.pub).toBe(other.user.pub);
    expect(pushed.cert.sig).not.toBe(first.identity.cert.sig);
  });

  it('puts an endpoint change on trial and rolls it back when the host reports failure', async () => {
    const { controller, configured } = setup();
    await controller.handle({ type: 'settings:update', patch: { enabled: false } });
    await controller.handle({ type: 'settings:update', patch: { signalingUrl: 'http://127.0.0.1:9100/peerjs' } });
    expect((await controller.config()).trial?.next.signalingUrl).toBe('http://127.0.0.1:9100/peerjs');
    await controller.handle({ type: 'settings:trial-result', ok: false });
    const settings = await controller.settings();
    expect(settings.signalingUrl).toBe('http://127.0.0.1:9000/peerjs');
    expect(settings.enabled).toBe(false);
    await until(() => configured.length > 0 && configured.at(-1)!.trial === null);
  });

  it('keeps new endpoints the user keeps, and lists them in the history', async () => {
    const { controller } = setup();
    await controller.handle({ type: 'settings:update', patch: { relayUrls: ['http://127.0.0.1:9100/gun'] } });
    await controller.handle({ type: 'settings:keep' });
    await controller.handle({ type: 'settings:trial-result', ok: false });
    expect((await controller.settings()).relayUrls).toEqual(['http://127.0.0.1:9100/gun']);
    const history = await controller.handle({ type: 'settings:history' });
    expect(history.map((h) => h.relayUrls[0])).toEqual(['http://127.0.0.1:9100/gun', 'http://127.0.0.1:9000/gun']);
  });
});
