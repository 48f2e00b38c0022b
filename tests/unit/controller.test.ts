import { describe, expect, it } from 'vitest';
import { Controller, SETTINGS_STORAGE, type HostHandle } from '../../core/controller';
import type { HostConfig } from '../../core/protocol';
import { defaultSettings } from '../../core/settings';
import { memoryStore } from '../support/memory-store';

function setup() {
  const configured: HostConfig[] = [];
  let ensured = 0;
  const requested: string[] = [];
  const host: HostHandle = {
    ensure: async () => void ensured++,
    configure: async (config) => void configured.push(config),
    request: async (action) => {
      requested.push(action.type);
      return null as never;
    },
  };
  const local = memoryStore();
  const sync = memoryStore();
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
    expect(local.values.get(SETTINGS_STORAGE)).toMatchObject({ enabled: false });
    await new Promise((r) => setTimeout(r, 10));
    expect(configured.at(-1)?.settings.enabled).toBe(false);
  });

  it('refuses an invalid update and keeps the stored settings', async () => {
    const { controller, local } = setup();
    await expect(controller.handle({ type: 'settings:update', patch: { signalingUrl: 'not a url' } })).rejects.toThrow(/not a URL/);
    expect(local.values.has(SETTINGS_STORAGE)).toBe(false);
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

  it('keeps one sync item per blocked ID, validates input and refuses its own IDs', async () => {
    const { controller, sync, configured } = setup();
    const boot = await controller.handle({ type: 'host:boot' });
    const { Identity } = await import('../../core/identity');
    const self = await Identity.fromStored(boot.identity);
    const other = 'n' + 'b'.repeat(26);
    const writesBefore = sync.writes;
    expect(await controller.handle({ type: 'block:add', id: `  ${other} ` })).toEqual([other]);
    expect(sync.writes - writesBefore).toBe(1);
    await expect(controller.handle({ type: 'block:add', id: 'nXYZ' })).rejects.toMatchObject({ name: 'BlockError', field: 'id' });
    await expect(controller.handle({ type: 'block:add', id: self.nodeId })).rejects.toThrow(/cannot be blocked/);
    await expect(controller.handle({ type: 'block:add', id: self.userId })).rejects.toThrow(/cannot be blocked/);
    await new Promise((r) => setTimeout(r, 10));
    expect(configured.at(-1)?.blocked).toEqual([other]);
    expect(await controller.handle({ type: 'block:remove', id: other })).toEqual([]);
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
});
