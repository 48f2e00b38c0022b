import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../core/settings/settings';
import { nodeDefaults } from '../../../server/node-options';
import { applicableChanges, changesOf, sameValue, SETTING_KEYS, sourcesOf, type OperatorSource, type SettingSources } from '../../../server/setting-sources';

const defaults = nodeDefaults();
const sourced = (given: Partial<Record<keyof Settings, OperatorSource>>) =>
  Object.fromEntries(SETTING_KEYS.map((key) => [key, given[key] ?? 'default'])) as SettingSources<OperatorSource>;

describe('which setting wins', () => {
  it('a dashboard change wins over the config file and flags as long as they still give the value it replaced', () => {
    const base: Settings = { ...defaults, room: 'office', maxPeers: 16 };
    const changes = changesOf({ ...base, room: 'lab', maxPeers: 4, trustedOnly: true }, base);
    const same = applicableChanges(changes, base, sourced({ room: 'config', maxPeers: 'flag' }));
    expect(same).toEqual({ kept: { room: 'lab', maxPeers: 4, trustedOnly: true }, overridden: [] });
  });

  it('the config file or a flag that gives a setting a new value wins over the dashboard’s change to it, and only to it', () => {
    const before: Settings = { ...defaults, room: 'office', maxPeers: 16 };
    const changes = changesOf({ ...before, room: 'lab', maxPeers: 4, trustedOnly: true }, before);
    const now: Settings = { ...before, room: 'hall', maxPeers: 32 };
    expect(applicableChanges(changes, now, sourced({ room: 'config', maxPeers: 'flag' }))).toEqual({ kept: { trustedOnly: true }, overridden: ['room', 'maxPeers'] });
  });

  it('a new built-in default is not the operator’s word: the dashboard’s change holds', () => {
    const changes = changesOf({ ...defaults, maxPeers: 4 }, defaults);
    expect(applicableChanges(changes, { ...defaults, maxPeers: 10 }, sourced({}))).toEqual({ kept: { maxPeers: 4 }, overridden: [] });
  });

  it('a setting taken out of the config file leaves the dashboard’s change in force', () => {
    const withRoom: Settings = { ...defaults, room: 'office' };
    const changes = changesOf({ ...withRoom, room: 'lab' }, withRoom);
    expect(applicableChanges(changes, defaults, sourced({})).kept).toEqual({ room: 'lab' });
  });

  it('a change to what the config file now gives anyway is no change', () => {
    const changes = changesOf({ ...defaults, room: 'lab' }, defaults);
    expect(applicableChanges(changes, { ...defaults, room: 'lab' }, sourced({ room: 'config' }))).toEqual({ kept: {}, overridden: [] });
  });

  it('says where each setting in force came from: the dashboard where it differs from the config file and flags', () => {
    const base: Settings = { ...defaults, room: 'office', maxPeers: 16 };
    const sources = sourcesOf({ ...base, room: 'lab' }, base, sourced({ room: 'config', maxPeers: 'flag' }));
    expect(sources).toMatchObject({ room: 'dashboard', maxPeers: 'flag', routing: 'default' });
  });

  it('compares values whatever the order of their keys (a hand-edited file)', () => {
    expect(sameValue([{ urls: 'turn:a', username: 'u', credential: 'c' }], [{ credential: 'c', urls: 'turn:a', username: 'u' }])).toBe(true);
    expect(sameValue({ until: null }, { until: 1 })).toBe(false);
    expect(sameValue(['a', 'b'], ['b', 'a'])).toBe(false);
  });
});
