import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../../../core/settings/settings';
import { checkEndpoint, createEndpointModel, parseRelayLines } from '../../../../../components/dashboard/signaling-endpoint/endpoint-model';
import { createNodeModel } from '../../../../../components/client/node-model';
import { fakeViewClient, flush } from '../../../../support/fake-view-client';

const settings = defaultSettings();

async function setup() {
  const fake = fakeViewClient();
  const node = createNodeModel(fake.client, { tickMs: 0 });
  fake.next().resolve(settings);
  await flush();
  return { fake, model: createEndpointModel(node) };
}

describe('checkEndpoint', () => {
  it('uses the settings rules: the error lands at its field', () => {
    expect(checkEndpoint(settings, ' http://example.test:9000/peerjs/ ', 'http://a.test/gun\n\n  http://b.test/gun ')).toEqual({
      ok: true,
      patch: { signalingUrl: 'http://example.test:9000/peerjs', backupSignalingUrls: [], relayUrls: ['http://a.test/gun', 'http://b.test/gun'] },
    });
    expect(checkEndpoint(settings, 'not a url', 'http://a.test/gun')).toEqual({ ok: false, errors: { signalingUrl: '"not a url" is not a URL.' } });
    expect(checkEndpoint(settings, 'ftp://x.test', 'http://a.test/gun')).toMatchObject({ ok: false, errors: { signalingUrl: expect.stringMatching(/http:\/\//) } });
    expect(checkEndpoint(settings, 'http://x.test', '')).toEqual({ ok: false, errors: { relayUrls: 'Needs at least one relay URL.' } });
    expect(checkEndpoint(settings, 'http://x.test', 'http://a.test\nnope')).toEqual({ ok: false, errors: { relayUrls: '"nope" is not a URL.' } });
  });

  it('splits the relay box into lines', () => {
    expect(parseRelayLines(' a \r\n\nb\n')).toEqual(['a', 'b']);
  });
});

describe('createEndpointModel', () => {
  it('opens with the desired endpoint, refuses a malformed URL without sending anything', async () => {
    const { fake, model } = await setup();
    model.open();
    expect(model.editing.value).toBe(true);
    expect(model.signalingUrl.value).toBe(settings.signalingUrl);
    expect(model.relayUrls.value).toBe(settings.relayUrls.join('\n'));
    model.setField('signalingUrl', 'http//broken');
    expect(await model.save()).toBe(false);
    expect(model.errors.value.signalingUrl).toMatch(/is not a URL/);
    expect(model.editing.value).toBe(true);
    expect(fake.calls).toHaveLength(0);
    model.setField('signalingUrl', 'http://127.0.0.1:9001/peerjs');
    expect(model.errors.value).toEqual({});
  });

  it('saves, closes and says so; a refusal from the background lands at its field', async () => {
    const { fake, model } = await setup();
    model.open();
    model.setField('relayUrls', 'http://127.0.0.1:9001/gun');
    let done = model.save();
    expect(model.saving.value).toBe(true);
    let call = fake.next();
    expect(call.request).toEqual({ type: 'settings:update', patch: { signalingUrl: settings.signalingUrl, backupSignalingUrls: [], relayUrls: ['http://127.0.0.1:9001/gun'] } });
    call.resolve({ ...settings, relayUrls: ['http://127.0.0.1:9001/gun'] });
    expect(await done).toBe(true);
    expect(model.editing.value).toBe(false);
    expect(model.status.value?.kind).toBe('ok');

    model.open();
    model.setField('signalingUrl', 'http://127.0.0.1:9002/peerjs');
    done = model.save();
    call = fake.next();
    call.reject(Object.assign(new Error('port 9002 is reserved'), { name: 'SettingsError', field: 'signalingUrl' }));
    expect(await done).toBe(false);
    expect(model.errors.value).toEqual({ signalingUrl: 'Port 9002 is reserved.' });
    expect(model.editing.value).toBe(true);

    done = model.save();
    fake.next().reject(Object.assign(new Error('no answer'), { name: 'NoReplyError' }));
    expect(await done).toBe(false);
    expect(model.errors.value.form).toMatch(/^Could not save the endpoint/);
  });

  it('closes without a request when nothing changed; cancel drops the draft', async () => {
    const { fake, model } = await setup();
    model.open();
    expect(await model.save()).toBe(true);
    expect(fake.calls).toHaveLength(0);
    expect(model.status.value?.text).toMatch(/Nothing changed/);
    model.open();
    model.setField('signalingUrl', 'x');
    model.cancel();
    expect(model.editing.value).toBe(false);
    model.open();
    expect(model.signalingUrl.value).toBe(settings.signalingUrl);
  });

  it('disposed while a save is on its way: writes nothing afterwards', async () => {
    const { fake, model } = await setup();
    model.open();
    model.setField('signalingUrl', 'http://127.0.0.1:9002/peerjs');
    const done = model.save();
    model.dispose();
    fake.take('settings:update').reject(Object.assign(new Error('port 9002 is reserved'), { name: 'SettingsError', field: 'signalingUrl' }));
    expect(await done).toBe(false);
    expect(model.errors.value).toEqual({});
    expect(model.saving.value).toBe(true);
  });
});
