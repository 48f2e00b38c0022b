import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultSettings, type Settings } from '../../../../core/settings/settings';
import type { NodeSnapshot } from '../../../../core/node/observed-state';
import { createNodeModel, describeError, nodeTransition, stopInForce, type NodeClient } from '../../../../components/client/node-model';
import { fakeSnapshot, SELF_NODE } from '../../../support/view-fixtures';

interface Deferred<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
  request: { type: string; patch?: Partial<Settings> };
  signal?: AbortSignal;
}

/** A client whose requests wait until the test answers them, and whose state the test pushes. */
function fakeClient() {
  const calls: Deferred<unknown>[] = [];
  const stateListeners = new Set<(s: NodeSnapshot) => void>();
  const reachableListeners = new Set<(r: boolean, e: Error | null) => void>();
  const client: NodeClient = {
    request: ((request: Deferred<unknown>['request'], options?: { signal?: AbortSignal }) =>
      new Promise((resolve, reject) => calls.push({ resolve, reject, request, signal: options?.signal }))) as NodeClient['request'],
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    onReachable(listener) {
      reachableListeners.add(listener);
      listener(false, null);
      return () => reachableListeners.delete(listener);
    },
  };
  return {
    client,
    calls,
    push(s: NodeSnapshot) {
      for (const l of stateListeners) l(s);
      for (const l of reachableListeners) l(true, null);
    },
    get listenerCount() {
      return stateListeners.size + reachableListeners.size;
    },
    /** Answers the oldest unanswered request. */
    next() {
      const call = calls.shift();
      if (!call) throw new Error('no request pending');
      return call;
    },
  };
}

function snapshot(patch: Partial<NodeSnapshot> = {}): NodeSnapshot {
  return fakeSnapshot(patch);
}

const settingsOn = defaultSettings();
const settingsOff = { ...settingsOn, enabled: false };
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createNodeModel', () => {
  const models: { dispose(): void }[] = [];
  afterEach(() => {
    for (const m of models.splice(0)) m.dispose();
  });
  function setup() {
    const fake = fakeClient();
    const model = createNodeModel(fake.client, { tickMs: 0 });
    models.push(model);
    return { fake, model };
  }

  it('loads the desired settings and follows snapshots', async () => {
    const { fake, model } = setup();
    expect(model.settings.value).toBeNull();
    expect(model.enabled.value).toBeNull();
    expect(fake.next().request).toEqual({ type: 'settings:get' });
    fake.calls.length = 0;

    fake.push(snapshot());
    expect(model.snapshot.value?.nodeId).toBe(SELF_NODE);
    expect(model.hostReachable.value).toBe(true);
    expect(model.enabled.value).toBe(true); // the host's copy, until the settings arrive
  });

  it('flips the switch at once and keeps it when the background agrees', async () => {
    const { fake, model } = setup();
    fake.next().resolve(settingsOn);
    await flush();
    fake.push(snapshot());
    expect(model.enabled.value).toBe(true);

    const done = model.setEnabled(false);
    expect(model.enabled.value).toBe(false);
    expect(model.settings.value?.enabled).toBe(false);
    expect(model.transition.value).toBe('turning-off');
    const call = fake.next();
    expect(call.request).toEqual({ type: 'settings:update', patch: { enabled: false } });
    call.resolve(settingsOff);
    await done;
    expect(model.enabled.value).toBe(false);
    expect(model.lastError.value).toBeNull();

    // The host converges: told (enabled false) but signaling still up, then all stopped.
    fake.push(snapshot({ enabled: false }));
    expect(model.transition.value).toBe('turning-off');
    fake.push(snapshot({ enabled: false, signaling: { ...snapshot().signaling, state: 'stopped' } }));
    expect(model.transition.value).toBeNull();
  });

  it('rolls back and says why when the request fails', async () => {
    const { fake, model } = setup();
    fake.next().resolve(settingsOn);
    await flush();

    const done = model.setEnabled(false);
    expect(model.enabled.value).toBe(false);
    fake.next().reject(Object.assign(new Error('storage quota exceeded'), { name: 'QuotaError' }));
    await done;
    expect(model.enabled.value).toBe(true);
    expect(model.settings.value?.enabled).toBe(true);
    expect(model.lastError.value).toBe('Could not turn the P2P network off: storage quota exceeded.');

    model.dismissError();
    expect(model.lastError.value).toBeNull();
  });

  it('lets the latest of two quick toggles decide', async () => {
    const { fake, model } = setup();
    fake.next().resolve(settingsOn);
    await flush();

    const first = model.setEnabled(false);
    const second = model.setEnabled(true);
    expect(model.enabled.value).toBe(true);
    const [a, b] = [fake.next(), fake.next()];
    // The older request fails after the newer one was sent: superseded, nothing to roll back.
    a.reject(new Error('busy'));
    await first;
    expect(model.enabled.value).toBe(true);
    expect(model.lastError.value).toBeNull();
    b.resolve(settingsOn);
    await second;
    expect(model.enabled.value).toBe(true);

    // Replies out of order: the older reply must not undo the newer one.
    const third = model.setEnabled(false);
    const fourth = model.setEnabled(true);
    const [c, d] = [fake.next(), fake.next()];
    d.resolve(settingsOn);
    await fourth;
    c.resolve(settingsOff);
    await third;
    expect(model.enabled.value).toBe(true);
  });

  it('rolls back to the host copy when the settings never loaded', async () => {
    const { fake, model } = setup();
    fake.next().reject(new Error('no background'));
    await flush();
    expect(model.lastError.value).toBe('Could not load the settings: no background.');
    fake.push(snapshot({ enabled: true }));
    // Reachable again: the load is retried.
    const retry = fake.next();
    expect(retry.request).toEqual({ type: 'settings:get' });

    const done = model.setEnabled(false);
    expect(model.enabled.value).toBe(false);
    fake.next().reject(new Error('still no background'));
    await done;
    expect(model.enabled.value).toBe(true);
    retry.resolve(settingsOn);
    await flush();
  });

  it('re-reads the settings when another view changed them', async () => {
    const { fake, model } = setup();
    fake.next().resolve(settingsOn);
    await flush();
    fake.push(snapshot({ enabled: true }));
    expect(fake.calls).toHaveLength(0);

    fake.push(snapshot({ enabled: false }));
    const reread = fake.next();
    expect(reread.request).toEqual({ type: 'settings:get' });
    reread.resolve(settingsOff);
    await flush();
    expect(model.enabled.value).toBe(false);
  });

  it('applies any switch optimistically and compares it with what the node applies', async () => {
    const { fake, model } = setup();
    fake.next().resolve(settingsOn);
    await flush();
    fake.push(snapshot());
    expect(model.switches.routing.value).toBe(true);
    expect(model.observedSwitches.routing.value).toBe(true);

    const done = model.setSwitch('routing', false);
    expect(model.switches.routing.value).toBe(false);
    expect(model.settings.value?.routing).toBe(false);
    expect(model.switches.enabled.value).toBe(true);
    const call = fake.next();
    expect(call.request).toEqual({ type: 'settings:update', patch: { routing: false } });
    call.resolve({ ...settingsOn, routing: false });
    await done;
    expect(model.switches.routing.value).toBe(false);
    expect(model.observedSwitches.routing.value).toBe(true); // the node has not applied it yet
    fake.push(snapshot({ controls: { routing: false, pauseIncoming: false, pauseOutgoing: false, blocked: [], trustedOnly: false, trusted: [] } }));
    expect(model.observedSwitches.routing.value).toBe(false);
    expect(fake.calls).toHaveLength(0); // its own change: no re-read

    const failed = model.setSwitch('pauseIncoming', true);
    expect(model.switches.pauseIncoming.value).toBe(true);
    fake.next().reject(new Error('storage is full'));
    await failed;
    expect(model.switches.pauseIncoming.value).toBe(false);
    expect(model.lastError.value).toBe('Could not pause incoming connections: storage is full.');
  });

  it('keeps a switch change whose reply arrived after a newer reply about another setting', async () => {
    const { fake, model } = setup();
    fake.next().resolve(settingsOn);
    await flush();
    const routing = model.setSwitch('routing', false);
    const pause = model.setSwitch('pauseOutgoing', true);
    const [a, b] = [fake.next(), fake.next()];
    // b answered first, from storage that did not have a's change yet.
    b.resolve({ ...settingsOn, pauseOutgoing: true });
    await pause;
    a.resolve({ ...settingsOn, routing: false });
    await routing;
    expect(model.settings.value).toMatchObject({ routing: false, pauseOutgoing: true });
  });

  it('applies Stop signaling optimistically, rolls it back on failure, and re-reads when the node disagrees', async () => {
    const { fake, model } = setup();
    expect(model.signalingStop.value).toBeUndefined();
    fake.next().resolve(settingsOn);
    await flush();
    fake.push(snapshot());
    expect(model.signalingStop.value).toBeNull();

    const stop = { until: Date.now() + 60_000 };
    const done = model.setSignalingStop(stop);
    expect(model.signalingStop.value).toEqual(stop);
    expect(model.settings.value?.signalingStop).toEqual(stop);
    const call = fake.next();
    expect(call.request).toEqual({ type: 'settings:update', patch: { signalingStop: stop } });
    call.resolve({ ...settingsOn, signalingStop: stop });
    await done;
    expect(model.signalingStop.value).toEqual(stop);
    fake.push(snapshot({ signaling: { ...snapshot().signaling, state: 'stopped', stoppedByUser: true, stoppedUntil: stop.until } }));
    expect(fake.calls).toHaveLength(0); // as desired: no re-read

    const failed = model.setSignalingStop(null);
    expect(model.signalingStop.value).toBeNull();
    fake.next().reject(new Error('storage is full'));
    await failed;
    expect(model.signalingStop.value).toEqual(stop);
    expect(model.lastError.value).toBe('Could not resume signaling: storage is full.');

    // Another view resumed signaling: the node reports it, this view re-reads its settings.
    fake.push(snapshot());
    const reread = fake.next();
    expect(reread.request).toEqual({ type: 'settings:get' });
    reread.resolve(settingsOn);
    await flush();
    expect(model.signalingStop.value).toBeNull();
  });

  it('tells whether a stop is in force', () => {
    expect(stopInForce(null, 5)).toBe(false);
    expect(stopInForce({ until: null }, 5)).toBe(true);
    expect(stopInForce({ until: 6 }, 5)).toBe(true);
    expect(stopInForce({ until: 5 }, 5)).toBe(false);
  });

  it('updateSettings resolves with the saved settings or rejects with the field', async () => {
    const { fake, model } = setup();
    fake.next().resolve(settingsOn);
    await flush();
    const saved = model.updateSettings({ signalingUrl: 'http://127.0.0.1:9001/peerjs' });
    const call = fake.next();
    expect(call.request).toEqual({ type: 'settings:update', patch: { signalingUrl: 'http://127.0.0.1:9001/peerjs' } });
    call.resolve({ ...settingsOn, signalingUrl: 'http://127.0.0.1:9001/peerjs' });
    await expect(saved).resolves.toMatchObject({ signalingUrl: 'http://127.0.0.1:9001/peerjs' });
    expect(model.settings.value?.signalingUrl).toBe('http://127.0.0.1:9001/peerjs');

    const refused = model.updateSettings({ relayUrls: ['x'] });
    fake.next().reject(Object.assign(new Error('"x" is not a URL'), { name: 'SettingsError', field: 'relayUrls' }));
    await expect(refused).rejects.toMatchObject({ field: 'relayUrls' });
    expect(model.lastError.value).toBeNull();
  });

  it('dispose() unsubscribes, stops the clock and ignores late replies', async () => {
    vi.useFakeTimers();
    try {
      const fake = fakeClient();
      const model = createNodeModel(fake.client, { tickMs: 1000, now: () => Date.now() });
      const start = model.now.value;
      await vi.advanceTimersByTimeAsync(1000);
      expect(model.now.value).toBe(start + 1000);
      expect(fake.listenerCount).toBe(2);
      model.dispose();
      expect(fake.listenerCount).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
      fake.next().resolve(settingsOff);
      await vi.advanceTimersByTimeAsync(0);
      expect(model.settings.value).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('disposed while a switch change is on its way: aborts the request and writes nothing afterwards', async () => {
    const { fake, model } = setup();
    fake.next().resolve(settingsOn);
    await flush();
    void model.setEnabled(false);
    const update = fake.next();
    expect(update.signal?.aborted).toBe(false);
    model.dispose();
    expect(update.signal?.aborted).toBe(true);
    update.reject(new Error('no answer'));
    await flush();
    expect(model.lastError.value).toBeNull();
    expect(model.enabled.value).toBe(false);
    await expect(model.updateSettings({ routing: false })).rejects.toMatchObject({ name: 'AbortError' });
    expect(fake.calls).toHaveLength(0);
  });
});

describe('nodeTransition', () => {
  it('compares the desired state with the host', () => {
    expect(nodeTransition(null, snapshot())).toBeNull();
    expect(nodeTransition(true, null)).toBeNull();
    expect(nodeTransition(true, snapshot({ enabled: false }))).toBe('turning-on');
    expect(nodeTransition(false, snapshot({ enabled: true }))).toBe('turning-off');
    expect(nodeTransition(true, snapshot({ enabled: true }))).toBeNull();
    const stopped = { ...snapshot().signaling, state: 'stopped' as const };
    expect(nodeTransition(false, snapshot({ enabled: false, signaling: stopped }))).toBeNull();
  });
});

describe('describeError', () => {
  it('maps error names to words', () => {
    const named = (name: string, message: string) => Object.assign(new Error(message), { name });
    expect(describeError('x', named('NoReplyError', 'no answer'))).toMatch(/did not answer/);
    expect(describeError('x', named('ProtocolError', 'version 2 is not 1'))).toMatch(/reopen this page/);
    expect(describeError('x', named('SettingsError', 'must be true or false'))).toBe(
      'Could not x: the setting was refused (must be true or false).',
    );
    expect(describeError('x', 'plain')).toBe('Could not x: plain.');
  });
});
