import { describe, expect, it } from 'vitest';
import { defaultSettings, type Settings } from '../../../../../core/settings/settings';
import { createNetworkSettingsModel } from '../../../../../components/dashboard/network-settings/network-settings-model';
import { createNodeModel } from '../../../../../components/client/node-model';
import { fakeViewClient, flush } from '../../../../support/fake-view-client';

const TURN = 'turn:127.0.0.1:3478?transport=udp';

async function setup(settings: Settings = defaultSettings()) {
  const fake = fakeViewClient();
  const node = createNodeModel(fake.client, { tickMs: 0 });
  fake.next().resolve(settings);
  await flush();
  return { fake, model: createNetworkSettingsModel(node) };
}

describe('createNetworkSettingsModel', () => {
  it('fills from the settings, with a saved credential shown as saved and never as text', async () => {
    const { model } = await setup({ ...defaultSettings(), room: 'friends', maxPeers: 5, iceServers: [{ urls: TURN, username: 'me', hasCredential: true }] });
    expect(model.room.value).toBe('friends');
    expect(model.maxPeers.value).toBe('5');
    expect(model.servers.value).toMatchObject([{ urls: TURN, username: 'me', credential: '', hasCredential: true }]);
  });

  it('refuses bad values at their fields and sends nothing', async () => {
    const { fake, model } = await setup();
    model.setRoom('no spaces allowed');
    expect(await model.apply()).toBe(false);
    expect(model.errors.value.room).toMatch(/^The room must be 1–64 letters/);
    model.setRoom('ok');
    model.setMaxPeers('100');
    expect(await model.apply()).toBe(false);
    expect(model.errors.value.maxPeers).toBe('Maximum peers must be a whole number from 0 to 64.');
    model.setMaxPeers('2.5');
    expect(await model.apply()).toBe(false);
    expect(model.errors.value.maxPeers).toBeDefined();
    model.setMaxPeers('4');
    model.addServer();
    const key = model.servers.value[0]!.key;
    model.setServer(key, 'urls', 'http://not-ice.test');
    expect(await model.apply()).toBe(false);
    expect(model.errors.value.ice?.[key]?.urls).toMatch(/is not a stun:, turn: or turns: URL/);
    model.setServer(key, 'urls', TURN);
    expect(await model.apply()).toBe(false);
    expect(model.errors.value.ice?.[key]).toEqual({ username: 'A TURN server needs a username.' });
    model.setServer(key, 'username', 'me');
    expect(await model.apply()).toBe(false);
    expect(model.errors.value.ice?.[key]).toEqual({ credential: 'A TURN server needs a credential.' });
    expect(fake.calls).toHaveLength(0);
  });

  it('applies good values, says they are on trial, and clears the credential it sent', async () => {
    const { fake, model } = await setup();
    model.setRoom('friends');
    model.addServer();
    const key = model.servers.value[0]!.key;
    model.setServer(key, 'urls', `${TURN}\nturn:127.0.0.1:3479`);
    model.setServer(key, 'username', 'me');
    model.setServer(key, 'credential', 's3cret');
    const done = model.apply();
    const call = fake.next();
    expect(call.request).toEqual({
      type: 'settings:update',
      patch: { room: 'friends', maxPeers: 8, iceServers: [{ urls: [TURN, 'turn:127.0.0.1:3479'], username: 'me', credential: 's3cret' }] },
    });
    call.resolve({ ...defaultSettings(), room: 'friends', iceServers: [{ urls: [TURN, 'turn:127.0.0.1:3479'], username: 'me', hasCredential: true }] });
    expect(await done).toBe(true);
    expect(model.status.value?.text).toMatch(/^Applied on trial/);
    expect(model.servers.value[0]).toMatchObject({ credential: '', hasCredential: true });
  });

  it('keeps a saved credential when its field is left empty, and shows a refusal from the background at its field', async () => {
    const { fake, model } = await setup({ ...defaultSettings(), iceServers: [{ urls: TURN, username: 'me', hasCredential: true }] });
    model.setMaxPeers('3');
    const done = model.apply();
    const call = fake.next();
    expect(call.request).toMatchObject({ patch: { iceServers: [{ urls: TURN, username: 'me', hasCredential: true }] } });
    call.reject(Object.assign(new Error('ICE server 1: enter its credential again (its URL or username changed)'), { name: 'SettingsError', field: 'iceServers', ice: { index: 0, part: 'credential' } }));
    expect(await done).toBe(false);
    const key = model.servers.value[0]!.key;
    expect(model.errors.value.ice?.[key]).toEqual({ credential: 'Enter its credential again (its URL or username changed).' });
  });
});
