import { describe, expect, it, vi } from 'vitest';
import type { EndpointTrial, WorkingEndpoints } from '../../../../../core/control/endpoint-trial';
import { defaultSettings } from '../../../../../core/settings/settings';
import { createNodeModel } from '../../../../../components/client/node-model';
import { createTrialModel, trialText } from '../../../../../components/dashboard/signaling-endpoint/trial-model';
import { fakeViewClient, flush } from '../../../../support/fake-view-client';

const OLD = { signalingUrl: 'http://127.0.0.1:9000/peerjs', relayUrls: ['http://127.0.0.1:9000/gun'], room: 'default', iceServers: [] };
const NEW = { ...OLD, signalingUrl: 'http://127.0.0.1:9001/peerjs' };

function setup() {
  const fake = fakeViewClient();
  let now = 100_000;
  const node = createNodeModel(fake.client, { tickMs: 10, now: () => now });
  const model = createTrialModel(node, fake.client);
  return { fake, node, model, setNow: (t: number) => (now = t) };
}

const trial = (startedAt: number): EndpointTrial => ({ id: `trial-${startedAt}`, previous: OLD, next: NEW, startedAt, deadline: startedAt + 15_000 });

describe('createTrialModel', () => {
  it('counts down to the rollback, and Keep hides the question at once', async () => {
    const { fake, node, model, setNow } = setup();
    fake.trial(trial(100_000));
    expect(model.trial.value?.next.signalingUrl).toBe(NEW.signalingUrl);
    expect(model.secondsLeft.value).toBe(15);
    expect(trialText(model.secondsLeft.value)).toBe('Keep these settings? Rolling back in 15 s');
    setNow(103_200);
    await new Promise((r) => setTimeout(r, 20)); // the node model's clock ticks
    expect(model.secondsLeft.value).toBe(12);

    const kept = model.keep();
    expect(model.trial.value).toBeNull();
    const call = fake.take('settings:keep');
    call.resolve(defaultSettings());
    await kept;
    expect(model.status.value).toEqual({ kind: 'ok', text: 'Kept: the new endpoints stay.' });
    fake.trial(null);
    expect(model.trial.value).toBeNull();
    expect(trialText(0)).toBe('Keep these settings? Rolling back now…');
    node.dispose();
  });

  it('Revert now goes back; a failed answer brings the question back', async () => {
    const { fake, node, model } = setup();
    fake.trial(trial(100_000));
    const reverting = model.revert();
    expect(model.trial.value).toBeNull();
    fake.take('settings:revert').reject(new Error('no answer'));
    await reverting;
    expect(model.trial.value).not.toBeNull();
    expect(model.status.value?.text).toBe('Could not go back to the previous endpoints: no answer.');
    node.dispose();
  });

  it('reads the history, marks nothing twice, restores an entry as a new trial and re-reads after a trial', async () => {
    const { fake, node, model } = setup();
    fake.take('settings:get').resolve(defaultSettings());
    await flush();
    const history: WorkingEndpoints[] = [{ ...NEW, workedAt: 5 }, { ...OLD, workedAt: 1 }];
    const loading = model.loadHistory();
    fake.take('settings:history').resolve(history);
    await loading;
    expect(model.history.value).toEqual(history);

    const same = model.restore(history[1]!);
    await same;
    expect(model.historyStatus.value?.text).toBe('These are the endpoints in use already.');
    const restoring = model.restore(history[0]!);
    const update = fake.take('settings:update');
    expect(update.request).toEqual({ type: 'settings:update', patch: { ...NEW, backupSignalingUrls: [] } });
    update.resolve({ ...defaultSettings(), ...NEW });
    await restoring;
    expect(model.historyStatus.value?.text).toBe(`Restored ${NEW.signalingUrl}: on trial for 15 s.`);

    fake.trial(trial(100_000));
    fake.trial(null);
    expect(fake.take('settings:history').request).toEqual({ type: 'settings:history' });
    model.dispose();
    node.dispose();
  });

  it('disposed while the history is on its way: aborts the read and writes nothing afterwards', async () => {
    const { fake, node, model } = setup();
    const request = vi.spyOn(fake.client, 'request');
    const done = model.loadHistory();
    model.dispose();
    node.dispose();
    expect(request.mock.calls[0]![1]?.signal?.aborted).toBe(true);
    fake.take('settings:history').resolve([]);
    await done;
    expect(model.history.value).toBeNull();
    expect(model.historyStatus.value).toBeNull();
  });
});
