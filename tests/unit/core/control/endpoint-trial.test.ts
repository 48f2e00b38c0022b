import { describe, expect, it } from 'vitest';
import { EndpointTrials, ENDPOINT_HISTORY_LIMIT, TRIAL_MS } from '../../../../core/control/endpoint-trial';
import { defaultSettings } from '../../../../core/settings/settings';
import { memoryStore } from '../../../support/memory-store';

const base = defaultSettings();
const at = (url: string) => ({ ...base, signalingUrl: url });

describe('EndpointTrials', () => {
  it('starts a 15 s trial remembering the configuration it replaces', async () => {
    let now = 1000;
    const trials = new EndpointTrials(memoryStore(), () => now);
    const trial = await trials.begin(base, at('http://127.0.0.1:9100/peerjs'));
    expect(trial).toMatchObject({ deadline: 1000 + TRIAL_MS, previous: { signalingUrl: base.signalingUrl }, next: { signalingUrl: 'http://127.0.0.1:9100/peerjs' } });
    expect((await trials.history()).map((h) => h.signalingUrl)).toEqual([base.signalingUrl]);
    now = 2000;
    await trials.commit();
    expect(await trials.current()).toBeNull();
    expect((await trials.history()).map((h) => h.signalingUrl)).toEqual(['http://127.0.0.1:9100/peerjs', base.signalingUrl]);
  });

  it('rolls back to the last working configuration, also after several changes in one trial', async () => {
    const trials = new EndpointTrials(memoryStore());
    await trials.begin(base, at('http://127.0.0.1:9100/peerjs'));
    await trials.begin(at('http://127.0.0.1:9100/peerjs'), at('http://127.0.0.1:9200/peerjs'));
    expect((await trials.rollBack())?.signalingUrl).toBe(base.signalingUrl);
    expect(await trials.rollBack()).toBeNull();
  });

  it('keeps a bounded history without duplicates', async () => {
    const trials = new EndpointTrials(memoryStore());
    for (let i = 0; i < ENDPOINT_HISTORY_LIMIT + 5; i++) {
      await trials.begin(at(`http://127.0.0.1:${9000 + i}/peerjs`), at(`http://127.0.0.1:${9001 + i}/peerjs`));
      await trials.commit();
    }
    const history = await trials.history();
    expect(history).toHaveLength(ENDPOINT_HISTORY_LIMIT);
    expect(new Set(history.map((h) => h.signalingUrl)).size).toBe(ENDPOINT_HISTORY_LIMIT);
  });
});
