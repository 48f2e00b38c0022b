import { describe, expect, it, vi } from 'vitest';
import { defaultSettings } from '../../../../../core/settings/settings';
import type { SignalingSnapshot } from '../../../../../core/node/observed-state';
import { createConfirmModel } from '../../../../../components/ui/confirm-model';
import { createNodeModel } from '../../../../../components/client/node-model';
import { createSignalingModel, stopFor } from '../../../../../components/dashboard/signaling-endpoint/signaling-model';
import { withSnapshotParts } from '../../../../../components/dashboard/snapshot-parts';
import { fakeViewClient, flush } from '../../../../support/fake-view-client';
import { fakeSnapshot } from '../../../../support/view-fixtures';

const T0 = 1_000_000;

function setup() {
  const fake = fakeViewClient();
  let now = T0;
  const node = withSnapshotParts(createNodeModel(fake.client, { tickMs: 0, now: () => now }));
  const confirm = createConfirmModel();
  const model = createSignalingModel(node, fake.client, confirm, { now: () => now });
  const signaling = (patch: Partial<SignalingSnapshot> = {}) => fake.push(fakeSnapshot({ signaling: { ...fakeSnapshot().signaling, ...patch } }));
  return { fake, node, confirm, model, signaling, setNow: (t: number) => (now = t) };
}

async function loaded(fake: ReturnType<typeof setup>['fake'], settings = defaultSettings()) {
  fake.take('settings:get').resolve(settings);
  await flush();
}

describe('createSignalingModel', () => {
  it('asks how long, then stops at once; the countdown says when it resumes; Resume undoes it', async () => {
    const { fake, node, confirm, model, signaling } = setup();
    await loaded(fake);
    signaling();
    expect(model.stop.value).toEqual({ stopped: false, text: '', countdown: '' });

    const cancelled = model.stopSignaling();
    expect(confirm.current.value).toMatchObject({ title: 'Stop signaling?', destructive: true, choices: { initial: '15m' } });
    expect(confirm.current.value?.choices?.options.map((o) => o.label)).toEqual(['for 15 minutes', 'for 1 hour', 'until I resume']);
    confirm.answer(false);
    expect(await cancelled).toBe(false);
    expect(fake.calls).toHaveLength(0);

    const stopping = model.stopSignaling();
    confirm.answer(true, '15m');
    await flush();
    // Desired at once, before any reply: the node has not applied it yet.
    expect(node.signalingStop.value).toEqual({ until: T0 + 15 * 60_000 });
    expect(model.stop.value).toEqual({ stopped: true, text: 'Stopping…', countdown: '' });
    fake.take('settings:update').resolve({ ...defaultSettings(), signalingStop: { until: T0 + 15 * 60_000 } });
    expect(await stopping).toBe(true);
    signaling({ state: 'stopped', stoppedByUser: true, stoppedUntil: T0 + 15 * 60_000 });
    expect(model.stop.value).toEqual({ stopped: true, text: 'Signaling stopped: resumes in', countdown: '15:00' });
    expect(model.canRetry.value).toBe(false);

    const resumed = model.resume();
    expect(model.stop.value).toEqual({ stopped: false, text: 'Resuming…', countdown: '' });
    fake.take('settings:update').resolve(defaultSettings());
    await resumed;
    signaling({ state: 'open' });
    expect(model.stop.value?.text).toBe('');
  });

  it('"until I resume" has no countdown; with the node unreachable the change waits for it', async () => {
    const { fake, model, signaling, confirm } = setup();
    await loaded(fake);
    signaling();
    fake.drop();
    const stopping = model.stopSignaling();
    confirm.answer(true, 'resume');
    await flush();
    expect(fake.take('settings:update').request).toEqual({ type: 'settings:update', patch: { signalingStop: { until: null } } });
    expect(model.stop.value).toEqual({ stopped: true, text: 'Stop: will apply when connected to the node.', countdown: '' });
    signaling({ state: 'stopped', stoppedByUser: true, stoppedUntil: null });
    expect(model.stop.value).toEqual({ stopped: true, text: 'Signaling stopped until you resume.', countdown: '' });
    void stopping;
  });

  it('before the settings load, shows what the node reports', () => {
    const { model, signaling } = setup();
    expect(model.stop.value).toBeNull();
    signaling({ state: 'stopped', stoppedByUser: true, stoppedUntil: T0 + 65_000 });
    expect(model.stop.value).toEqual({ stopped: true, text: 'Signaling stopped: resumes in', countdown: '1:05' });
  });

  it('offers Retry now only while signaling is down by no choice of the user', async () => {
    const { fake, model, signaling } = setup();
    await loaded(fake);
    signaling({ state: 'open' });
    expect(model.canRetry.value).toBe(false);
    signaling({ state: 'error', attempts: 2, lastError: 'server unreachable' });
    expect(model.canRetry.value).toBe(true);
    signaling({ state: 'connecting', attempts: 3 });
    expect(model.canRetry.value).toBe(true);
    signaling({ state: 'connecting', attempts: 0 });
    expect(model.canRetry.value).toBe(false);
    signaling({ state: 'disconnected' });
    const retried = model.retry();
    const call = fake.take('node:retry-signaling');
    call.resolve(null);
    await retried;
    expect(model.status.value?.kind).toBe('ok');
    signaling({ state: 'stopped', stoppedByUser: true });
    expect(model.canRetry.value).toBe(false);
  });

  it('maps each choice to its end time', () => {
    expect(stopFor('15m', 0)).toEqual({ until: 900_000 });
    expect(stopFor('1h', 0)).toEqual({ until: 3_600_000 });
    expect(stopFor('resume', 0)).toEqual({ until: null });
  });

  it('disposed while Retry now is on its way: aborts it and writes nothing afterwards', async () => {
    const { fake, model } = setup();
    const request = vi.spyOn(fake.client, 'request');
    const done = model.retry();
    const pending = model.status.value;
    model.dispose();
    expect(request.mock.calls[0]![1]?.signal?.aborted).toBe(true);
    fake.take('node:retry-signaling').reject(new Error('late'));
    await done;
    expect(model.status.value).toBe(pending);
  });
});
