/**
 * The background's controller: settings, the block and trust lists, endpoint trials, stored settings
 * that fail validation, the host watchdog, TURN credentials. controller-identity.test.ts: the identity.
 */
import { describe, expect, it } from 'vitest';
import { Controller } from '../../../../core/control/controller';
import { LAST_GOOD_SETTINGS_STORAGE, SETTINGS_STORAGE } from '../../../../core/control/settings-store';
import { memoryNodeKeyStore } from '../../../../core/identity/node-key-store';
import { fakeHost, nodeIdOf, setupController as setup, userIdOf } from '../../../support/controller-bench';
import { defaultSettings } from '../../../../core/settings/settings';
import { memoryArea } from '../../../support/memory-store';
import { until } from '../../../support/until';
import { fakeId } from '../../../support/ids';
import { shardKey } from '../../../../core/blocklist/block-list';

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
    const self = { nodeId: await nodeIdOf(boot.identity.node.pub), userId: await userIdOf(boot.identity.user.pub) };
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

  it('keeps the trust list under its own sync keys, beside the block list, and hands the host both', async () => {
    const { controller, sync, configured } = setup();
    const boot = await controller.handle({ type: 'host:boot' });
    const self = { nodeId: await nodeIdOf(boot.identity.node.pub), userId: await userIdOf(boot.identity.user.pub) };
    const friend = 'u' + 'f'.repeat(26);
    const spammer = 'n' + 's'.repeat(26);
    await controller.handle({ type: 'block:add', id: spammer });
    const writesBefore = sync.writes;
    const state = await controller.handle({ type: 'trust:add', id: ` ${friend}`, label: 'a friend' });
    expect(state.entries.map((e) => [e.id, e.kind, e.label])).toEqual([[friend, 'user', 'a friend']]);
    expect(sync.writes - writesBefore).toBe(1);
    const keys = [...sync.data.keys()];
    expect(keys.filter((k) => k.startsWith('meshdeck:tl:'))).toHaveLength(1);
    expect(keys.filter((k) => k.startsWith('meshdeck:bl:'))).toHaveLength(1);
    expect((await controller.handle({ type: 'block:list' })).entries.map((e) => e.id)).toEqual([spammer]);
    await expect(controller.handle({ type: 'trust:add', id: 'uXYZ' })).rejects.toMatchObject({ name: 'BlockInputError', field: 'id' });
    await expect(controller.handle({ type: 'trust:add', id: self.nodeId })).rejects.toThrow(/cannot trust itself/);
    await expect(controller.handle({ type: 'trust:add', id: self.userId })).rejects.toThrow(/always trusted/);
    await until(() => configured.at(-1)?.trustList.entries.length === 1);
    expect(configured.at(-1)).toMatchObject({ trustList: { entries: [{ id: friend }] }, blockList: { entries: [{ id: spammer }] } });
    const { removed } = await controller.handle({ type: 'trust:remove', id: friend });
    expect(removed?.id).toBe(friend);
    expect((await controller.handle({ type: 'trust:list' })).entries).toEqual([]);
    expect((await controller.handle({ type: 'block:list' })).entries).toHaveLength(1);
  });

  it("merges another browser's trust list edit that storage.sync resolved by overwriting the shard", async () => {
    const { controller, sync } = setup();
    await controller.handle({ type: 'host:boot' });
    const mine = 'n' + 'm'.repeat(26);
    await controller.handle({ type: 'trust:add', id: mine });
    const [key, before] = [...sync.data].find(([k]) => k.startsWith('meshdeck:tl:'))!;
    // Another browser wrote the same shard without our entry (its own, newer, replaced ours).
    const theirs = [['n' + 'q'.repeat(26), '1', '1', 0]];
    await sync.set({ [key]: theirs });
    await controller.onStorageChanged('sync', { [key]: { oldValue: before, newValue: theirs } });
    const ids = (await controller.handle({ type: 'trust:list' })).entries.map((e) => e.id).sort();
    expect(ids.sort()).toEqual([mine, 'n' + 'q'.repeat(26)].sort());
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

  it('hands the node another browser\'s block though writing the merged list back fails (issue 23, item 8)', async () => {
    const { controller, sync, configured, logged } = setup();
    await controller.handle({ type: 'host:boot' });
    await controller.handle({ type: 'block:add', id: fakeId(1) });
    const key = shardKey(fakeId(1));
    const ours = sync.data.get(key);
    // Another browser's write of the same shard replaced ours, and storage.sync now refuses writes (its quota).
    let n = 2;
    while (shardKey(fakeId(n)) !== key) n++;
    const theirs = [[fakeId(n), (Date.now() + 5).toString(36), (Date.now() + 5).toString(36), 0]];
    sync.data.set(key, theirs);
    sync.set = async () => {
      throw new Error('QUOTA_BYTES quota exceeded');
    };
    const before = configured.length;
    await controller.onStorageChanged('sync', { [key]: { oldValue: ours, newValue: theirs } });
    expect(configured.length).toBeGreaterThan(before);
    expect(configured.at(-1)!.blockList.entries.map((e) => e.id)).toContain(fakeId(n));
    await until(() => logged.some((line) => /QUOTA_BYTES/.test(line.message)));
  });

  it('puts an endpoint change on trial and rolls it back when the host reports failure', async () => {
    const { controller, configured } = setup();
    await controller.handle({ type: 'settings:update', patch: { enabled: false } });
    await controller.handle({ type: 'settings:update', patch: { signalingUrl: 'http://127.0.0.1:9100/peerjs' } });
    expect((await controller.config()).trial?.next.signalingUrl).toBe('http://127.0.0.1:9100/peerjs');
    const trial = (await controller.config()).trial!;
    await controller.handle({ type: 'settings:trial-result', trialId: 'an older trial', ok: false });
    expect((await controller.settings()).signalingUrl).toBe('http://127.0.0.1:9100/peerjs');
    await controller.handle({ type: 'settings:trial-result', trialId: trial.id, ok: false });
    const settings = await controller.settings();
    expect(settings.signalingUrl).toBe('http://127.0.0.1:9000/peerjs');
    expect(settings.enabled).toBe(false);
    await until(() => configured.length > 0 && configured.at(-1)!.trial === null);
  });

  it('keeps new endpoints the user keeps, and lists them in the history', async () => {
    const { controller } = setup();
    await controller.handle({ type: 'settings:update', patch: { relayUrls: ['http://127.0.0.1:9100/gun'] } });
    const trial = (await controller.config()).trial!;
    await controller.handle({ type: 'settings:keep' });
    await controller.handle({ type: 'settings:trial-result', trialId: trial.id, ok: false });
    expect((await controller.settings()).relayUrls).toEqual(['http://127.0.0.1:9100/gun']);
    const history = await controller.handle({ type: 'settings:history' });
    expect(history.map((h) => h.relayUrls[0])).toEqual(['http://127.0.0.1:9100/gun', 'http://127.0.0.1:9000/gun']);
  });

  it('does not flip the user\'s choices when stored settings fail validation: the last good ones apply, and Diagnostics says why', async () => {
    const { controller, local, configured } = setup();
    await controller.handle({ type: 'settings:update', patch: { enabled: false, maxPeers: 5 } });
    expect(local.data.get(LAST_GOOD_SETTINGS_STORAGE)).toMatchObject({ enabled: false, maxPeers: 5 });
    local.data.set(SETTINGS_STORAGE, { ...(local.data.get(SETTINGS_STORAGE) as object), room: 'no spaces allowed' });
    expect(await controller.settings()).toMatchObject({ enabled: false, maxPeers: 5 });
    const config = await controller.config();
    expect(config.settings.enabled).toBe(false);
    expect(config.problems).toEqual([expect.stringMatching(/stored settings are invalid \(room: .*\): the last settings that validated are used/)]);
    await until(() => configured.length > 0);
  });

  it('keeps P2P off when invalid stored settings leave nothing valid to go back to', async () => {
    const { controller, local } = setup();
    local.data.set(SETTINGS_STORAGE, { enabled: 'maybe', room: 'no spaces allowed' });
    expect((await controller.settings()).enabled).toBe(false);
    local.data.set(SETTINGS_STORAGE, { enabled: false, room: 'no spaces allowed' });
    expect((await controller.settings()).enabled).toBe(false);
  });

  it('restores only a real, checked entry: a forged one cannot block this node, carry a long note or bypass the ID rules', async () => {
    const { controller } = setup();
    const boot = await controller.handle({ type: 'host:boot' });
    const selfNode = await nodeIdOf(boot.identity.node.pub);
    await expect(controller.handle({ type: 'block:restore', entry: { id: selfNode } })).rejects.toThrow(/cannot block itself/);
    await expect(controller.handle({ type: 'block:restore', entry: { id: 'not an id' } })).rejects.toMatchObject({ name: 'BlockInputError' });
    const other = 'n' + 'd'.repeat(26);
    const forged = { id: other, note: 'x'.repeat(10_000), label: 'y'.repeat(10_000), kind: 'user', at: -5, v: 1e15 } as never;
    const state = await controller.handle({ type: 'block:restore', entry: forged });
    const entry = state.entries.find((e) => e.id === other)!;
    expect(entry.kind).toBe('node');
    expect(entry.note.length).toBeLessThanOrEqual(200);
    expect(entry.at).toBeGreaterThan(0);
  });

  it('re-creates a host that keeps failing its configuration, with backoff', async () => {
    let now = 1_000_000;
    let closed = 0;
    let ensured = 0;
    const host = fakeHost({
      ensure: async () => void ensured++,
      close: async () => void closed++,
      configure: async () => {
        throw Object.assign(new Error('the node key is not the one certified'), { name: 'IdentityError' });
      },
    });
    const controller = new Controller({ local: memoryArea(), sync: memoryArea(), host, keys: memoryNodeKeyStore(), defaults: defaultSettings(), now: () => now });
    for (let i = 0; i < 3; i++) await controller.ensureHost().catch(() => undefined);
    await controller.checkHost();
    expect(closed).toBe(1);
    // Within the backoff nothing more happens, however often the check runs.
    for (let i = 0; i < 3; i++) await controller.ensureHost().catch(() => undefined);
    await controller.checkHost();
    expect(closed).toBe(1);
    now += 61_000;
    await controller.checkHost();
    expect(closed).toBe(2);
    expect(ensured).toBeGreaterThanOrEqual(2);
  });

  it('re-creates a host that stopped beating', async () => {
    let now = 1_000_000;
    let closed = 0;
    const host = fakeHost({ close: async () => void closed++ });
    const controller = new Controller({ local: memoryArea(), sync: memoryArea(), host, keys: memoryNodeKeyStore(), defaults: defaultSettings(), now: () => now });
    now += 20_000;
    await controller.handle({ type: 'host:alive', failure: null });
    now += 40_000;
    await controller.checkHost();
    expect(closed).toBe(0);
    now += 20_000;
    await controller.checkHost();
    expect(closed).toBe(1);
  });
});

describe('Controller: TURN credentials', () => {
  it('keeps them for the host and never answers a view with them', async () => {
    const { controller, configured } = setup();
    const turn = { urls: 'turn:127.0.0.1:3478', username: 'me', credential: 's3cret' };
    const reply = await controller.handle({ type: 'settings:update', patch: { iceServers: [turn] } });
    expect(reply.iceServers).toEqual([{ urls: turn.urls, username: 'me', hasCredential: true }]);
    for (const answer of [await controller.handle({ type: 'settings:get' }), await controller.handle({ type: 'settings:history' })]) {
      expect(JSON.stringify(answer)).not.toContain('s3cret');
    }
    await until(() => configured.some((config) => config.settings.iceServers[0]?.credential === 's3cret'));
    expect(JSON.stringify(configured.at(-1)!.trial)).not.toContain('s3cret');
    // The view sends back what it was given (a change of maximum peers): the credential stays.
    await controller.handle({ type: 'settings:update', patch: { maxPeers: 3, iceServers: reply.iceServers } });
    expect((await controller.settings()).iceServers).toEqual([turn]);
  });
});
