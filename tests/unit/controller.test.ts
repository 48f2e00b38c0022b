import { describe, expect, it } from 'vitest';
import { Controller, SETTINGS_STORAGE, type HostHandle } from '../../core/controller';
import type { HostConfig } from '../../core/protocol';
import { defaultSettings } from '../../core/settings';
import { memoryStore } from '../support/memory-store';

function setup() {
  const configured: HostConfig[] = [];
  let ensured = 0;
  const host: HostHandle = {
    ensure: async () => void ensured++,
    configure: async (config) => void configured.push(config),
  };
  const local = memoryStore();
  const sync = memoryStore();
  const controller = new Controller({ local, sync, host, defaults: defaultSettings() });
  return { controller, local, configured, ensured: () => ensured };
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
});
