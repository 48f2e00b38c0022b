/**
 * SettingsStore alone, over a memory storage area: settings read back validated with the defaults of
 * fields a newer build added, and stored settings that no longer validate never used: the last good
 * ones, or the defaults with the user's on/off choice kept, the reason reported once.
 */
import { describe, expect, it } from 'vitest';
import { LAST_GOOD_SETTINGS_STORAGE, SETTINGS_STORAGE, SettingsStore } from '../../../../core/control/settings-store';
import { keyValueStore } from '../../../../core/lib/storage';
import { defaultSettings } from '../../../../core/settings/settings';
import { memoryArea } from '../../../support/memory-store';

function setup() {
  const area = memoryArea();
  const warnings: string[] = [];
  const store = new SettingsStore({ local: keyValueStore(area), area, defaults: defaultSettings(), now: () => Date.UTC(2026, 0, 1), warn: (m) => warnings.push(m) });
  return { area, store, warnings };
}

describe('SettingsStore', () => {
  it('answers the defaults until something is stored, then what was stored, with the fields it lacks at their defaults', async () => {
    const { area, store } = setup();
    expect(await store.current()).toEqual(defaultSettings());
    const { trackerUrls: _dropped, ...older } = { ...defaultSettings(), maxPeers: 3 };
    area.data.set(SETTINGS_STORAGE, older);
    expect(await store.current()).toEqual({ ...defaultSettings(), maxPeers: 3 });
    expect(store.problems()).toEqual([]);
  });

  it('stores the settings and the last good ones in one write', async () => {
    const { area, store } = setup();
    const writes = area.writes;
    await store.store({ ...defaultSettings(), maxPeers: 5 });
    expect(area.writes).toBe(writes + 1);
    expect(area.data.get(LAST_GOOD_SETTINGS_STORAGE)).toEqual(area.data.get(SETTINGS_STORAGE));
  });

  it('uses the last good settings in place of ones that no longer validate, and says why once', async () => {
    const { area, store, warnings } = setup();
    await store.store({ ...defaultSettings(), enabled: false, maxPeers: 5 });
    area.data.set(SETTINGS_STORAGE, { ...defaultSettings(), maxPeers: -1 });
    expect(await store.current()).toMatchObject({ enabled: false, maxPeers: 5 });
    await store.current();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^stored settings are invalid \(maxPeers: .*\): the last settings that validated are used$/);
    expect(store.problems()).toEqual(warnings);
    // Valid again: the problem is gone.
    area.data.set(SETTINGS_STORAGE, { ...defaultSettings(), maxPeers: 4 });
    await store.current();
    expect(store.problems()).toEqual([]);
  });

  it("with nothing valid to go back to, keeps the user's off and never guesses on", async () => {
    const { area, store } = setup();
    area.data.set(SETTINGS_STORAGE, { ...defaultSettings(), enabled: false, maxPeers: 'many' });
    expect((await store.current()).enabled).toBe(false);
    expect(store.problems()[0]).toMatch(/defaults are used, with your on\/off choice kept$/);
    area.data.set(SETTINGS_STORAGE, { maxPeers: 'many', enabled: 'yes' });
    expect((await store.current()).enabled).toBe(false);
    expect(store.problems()[0]).toMatch(/defaults are used, with P2P off$/);
  });
});
