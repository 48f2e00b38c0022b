import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../../core/lib/clock';
import { loadOrCreateIdentity } from '../../../../core/identity/identity';
import { NodeHost, type HostChannel, type Observer } from '../../../../core/host/node-host';
import type { HostCommand, HostConfig, StateMessage } from '../../../../core/control/protocol';
import { defaultSettings } from '../../../../core/control/settings';
import { FakeRendezvousStore, FakeSignalingHub } from '../../../support/fake-transport';
import { memoryStore } from '../../../support/memory-store';

async function setup() {
  const identity = await loadOrCreateIdentity({ local: memoryStore(), sync: memoryStore() });
  const config: HostConfig = { settings: defaultSettings(), identity, blockList: { entries: [], overflow: 0, syncBytes: 0, syncQuotaBytes: 102_400 }, daily: [], trial: null };
  let command: ((c: HostCommand) => Promise<unknown>) | null = null;
  let observe: ((o: Observer) => void) | null = null;
  const appended: unknown[] = [];
  const trials: boolean[] = [];
  const channel: HostChannel = {
    requestConfig: async () => config,
    onCommand: (listener) => ((command = listener), () => (command = null)),
    onObserver: (listener) => ((observe = listener), () => (observe = null)),
    appendHistory: async (point) => void appended.push(point),
    reportTrial: async (ok) => void trials.push(ok),
  };
  const host = new NodeHost({
    channel,
    clock: systemClock,
    createSignaling: new FakeSignalingHub().factory,
    createRendezvous: new FakeRendezvousStore().factory,
    app: 'meshdeck/test',
  });
  await host.start();
  return { host, config, identity, trials, send: (c: HostCommand) => command!(c), observe: (o: Observer) => observe!(o) };
}

describe('NodeHost endpoint trials', () => {
  let stopHost: (() => void) | null = null;
  afterEach(() => stopHost?.());

  it('reports a trial as good once signaling and a relay are open', async () => {
    const { host, config, trials, send } = await setup();
    stopHost = () => host.stop();
    const trial = { previous: config.settings, next: config.settings, startedAt: Date.now(), deadline: Date.now() + 5000 };
    await send({ type: 'host:configure', config: { ...config, trial } });
    await new Promise((r) => setTimeout(r, 50));
    expect(trials).toEqual([true]);
  });

  it('reports a trial as failed when the deadline passes unconnected', async () => {
    const { host, config, trials, send } = await setup();
    stopHost = () => host.stop();
    const offline = { ...config.settings, enabled: false };
    const trial = { previous: offline, next: offline, startedAt: Date.now(), deadline: Date.now() + 60 };
    await send({ type: 'host:configure', config: { ...config, settings: offline, trial } });
    await new Promise((r) => setTimeout(r, 150));
    expect(trials).toEqual([false]);
  });
});

describe('NodeHost', () => {
  let stopHost: (() => void) | null = null;
  afterEach(() => stopHost?.());

  it('exports diagnostics with settings, state, history and log, and never a private key', async () => {
    const { host, identity, send } = await setup();
    stopHost = () => host.stop();
    const report = await send({ type: 'diagnostics:export' });
    const text = JSON.stringify(report);
    expect(report).toMatchObject({ app: 'meshdeck/test', settings: { enabled: true }, history: { recent: [], daily: [] } });
    expect(text).toContain(host.node!.nodeId);
    for (const secret of [identity.node.priv.d!, identity.user.priv.d!]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/"priv"|"d":/);
  });

  it('gives a new observer the state, the log and the history at once', async () => {
    const { host, observe } = await setup();
    stopHost = () => host.stop();
    await new Promise((r) => setTimeout(r, 1100));
    const got: StateMessage['type'][] = [];
    observe({ post: (m) => got.push(m.type), onClose: () => undefined });
    expect(got).toEqual(['state', 'log', 'history', 'blocklist', 'trial']);
  });

  it('applies new configuration: the block list reaches the node', async () => {
    const { host, config, send } = await setup();
    stopHost = () => host.stop();
    const blocked = 'n' + 'c'.repeat(26);
    const entry = { id: blocked, kind: 'node' as const, at: 1, note: '', label: '', v: 1, removed: false };
    await send({ type: 'host:configure', config: { ...config, blockList: { ...config.blockList, entries: [entry] } } });
    expect(host.node!.snapshot().controls.blocked).toEqual([blocked]);
  });
});
