import { afterEach, describe, expect, it } from 'vitest';
import { NodeHost, type HostChannel, type HostHealth, type NodeHostDeps, type Observer } from '../../../../core/host/node-host';
import type { HostCommand, HostConfig, StateMessage } from '../../../../core/control/protocol';
import type { EndpointTrial } from '../../../../core/control/endpoint-trial';
import { defaultSettings } from '../../../../core/settings/settings';
import { HOST_HEARTBEAT_MS } from '../../../../core/control/protocol';
import { MemoryNetwork } from '../../../../server/sim/memory-network';
import { FakeClock } from '../../../support/fake-clock';
import { makeIdentity } from '../../../support/identities';
import { fakeBlobStore } from '../../../support/fake-blob-store';
import { pinnedRandom } from '../../../support/pinned-random';
import { BADGE_COLORS, type ToolbarBadge } from '../../../../core/control/toolbar-badge';
import type { PeerSession } from '../../../../core/session/peer-session';
import type { Pair } from '../../../../core/session/wire';

async function setup(channelParts: Partial<HostChannel> = {}, deps: Partial<NodeHostDeps> = {}) {
  const clock = new FakeClock();
  const { stored, keys } = await makeIdentity();
  const config: HostConfig = {
    revision: 1,
    settings: defaultSettings(),
    identity: stored,
    blockList: { entries: [], overflow: 0, syncBytes: 0, syncQuotaBytes: 102_400 },
    trustList: { entries: [], overflow: 0, syncBytes: 0, syncQuotaBytes: 8_192 },
    daily: [],
    trial: null,
    problems: [],
    shared: null,
  };
  let command: ((c: HostCommand) => Promise<unknown>) | null = null;
  let observe: ((o: Observer) => void) | null = null;
  const trials: [string, boolean][] = [];
  const beats: HostHealth[] = [];
  const badges: ToolbarBadge[] = [];
  const channel: HostChannel = {
    requestConfig: async () => config,
    onCommand: (listener) => ((command = listener), () => (command = null)),
    onObserver: (listener) => ((observe = listener), () => (observe = null)),
    appendHistory: async () => undefined,
    reportTrial: async (id, ok) => void trials.push([id, ok]),
    beat: async (health) => void beats.push(health),
    answerPairing: async () => ({ t: 'pair', step: 'refused' }),
    sharedListHeard: async () => true,
    showBadge: async (badge) => void badges.push(badge),
    ...channelParts,
  };
  const network = new MemoryNetwork();
  const host = new NodeHost({
    channel,
    clock,
    createSignaling: network.createSignaling,
    createRendezvous: network.createRendezvous,
    keys,
    app: 'meshdeck/test',
    random: pinnedRandom(),
    ...deps,
  });
  await host.start();
  const trial = (deadlineIn: number, settings = config.settings): EndpointTrial => ({
    id: `trial-${deadlineIn}`,
    previous: settings,
    next: settings,
    startedAt: clock.now(),
    deadline: clock.now() + deadlineIn,
  });
  return { host, clock, config, stored, trials, beats, badges, trial, send: (c: HostCommand) => command!(c), observe: (o: Observer) => observe!(o) };
}

let stopHost: (() => void) | null = null;
afterEach(() => {
  stopHost?.();
  stopHost = null;
});

describe('NodeHost endpoint trials', () => {
  it('reports a trial as good, by its id, once signaling and a relay are open', async () => {
    const { host, clock, config, trials, send, trial } = await setup();
    stopHost = () => host.stop();
    await send({ type: 'host:configure', config: { ...config, revision: 2, trial: trial(5000) } });
    await clock.advance(10);
    expect(trials).toEqual([['trial-5000', true]]);
  });

  it('reports a trial as failed when the deadline passes unconnected', async () => {
    const { host, clock, config, trials, send, trial } = await setup();
    stopHost = () => host.stop();
    const offline = { ...config.settings, enabled: false };
    await send({ type: 'host:configure', config: { ...config, revision: 2, settings: offline, trial: trial(60, offline) } });
    await clock.advance(59);
    expect(trials).toEqual([]);
    await clock.advance(1);
    expect(trials).toEqual([['trial-60', false]]);
  });
});

describe('NodeHost', () => {
  it('exports diagnostics with settings, state, history and log, and never a private key or TURN credential', async () => {
    const { host, config, send } = await setup();
    stopHost = () => host.stop();
    const iceServers = [{ urls: 'turn:127.0.0.1:3478', username: 'alice-turn-user', credential: 's3cret-turn-pass' }];
    await send({ type: 'host:configure', config: { ...config, revision: 2, settings: { ...config.settings, iceServers } } });
    const report = await send({ type: 'diagnostics:export' });
    const text = JSON.stringify(report);
    expect(report).toMatchObject({ app: 'meshdeck/test', settings: { enabled: true }, history: { recent: [], daily: [] } });
    expect(text).toContain(host.node!.nodeId);
    expect(text).toContain('turn:127.0.0.1:3478');
    expect(text).not.toContain('s3cret-turn-pass');
    expect(text).not.toContain('alice-turn-user');
    // The host never had a private key to leak: the configuration carries public keys only.
    expect(JSON.stringify(config)).not.toMatch(/"priv"|"d":/);
    expect(text).not.toMatch(/"priv"|"d":/);
  });

  it('gives a new observer the state, the log, the history, the block list, the trial and the problems at once', async () => {
    const { host, clock, observe } = await setup();
    stopHost = () => host.stop();
    await clock.advance(1100);
    const got: StateMessage['type'][] = [];
    observe({ scope: 'full', post: (m) => got.push(m.type), onClose: () => undefined });
    expect(got).toEqual(['state', 'log', 'history', 'blocklist', 'trial', 'problems']);
  });

  it('gives a summary observer (the popup) no history and no log, at once or later', async () => {
    const { host, clock, observe } = await setup();
    stopHost = () => host.stop();
    await clock.advance(1100);
    const full: StateMessage['type'][] = [];
    const summary: StateMessage['type'][] = [];
    observe({ scope: 'full', post: (m) => full.push(m.type), onClose: () => undefined });
    observe({ scope: 'summary', post: (m) => summary.push(m.type), onClose: () => undefined });
    expect(summary).toEqual(['state', 'blocklist', 'trial', 'problems']);
    await clock.advance(3000);
    expect(full).toContain('history:tick');
    expect(summary).not.toContain('history:tick');
    expect(summary).not.toContain('log');
    expect(summary.filter((type) => type === 'state').length).toBeGreaterThan(1);
  });

  it('applies new configuration: the block list reaches the node', async () => {
    const { host, config, send } = await setup();
    stopHost = () => host.stop();
    const blocked = 'n' + 'c'.repeat(26);
    const entry = { id: blocked, kind: 'node' as const, at: 1, note: '', label: '', v: 1, removed: false };
    await send({ type: 'host:configure', config: { ...config, revision: 2, blockList: { ...config.blockList, entries: [entry] } } });
    expect(host.node!.snapshot().controls.blocked).toEqual([blocked]);
  });

  it('ignores a configuration older than the one it applied', async () => {
    const { host, config, send } = await setup();
    stopHost = () => host.stop();
    await send({ type: 'host:configure', config: { ...config, revision: 5, settings: { ...config.settings, routing: false } } });
    await send({ type: 'host:configure', config: { ...config, revision: 4, settings: { ...config.settings, routing: true } } });
    expect(host.node!.snapshot().controls.routing).toBe(false);
  });

  it('survives a configuration that throws: logs it, beats with the failure, and applies the next one', async () => {
    const { host, config, stored, beats, send } = await setup();
    stopHost = () => host.stop();
    // A node key this host does not hold: Identity.fromStored throws, as on a corrupted key.
    const { stored: foreign } = await makeIdentity();
    await expect(send({ type: 'host:configure', config: { ...config, revision: 2, identity: foreign } })).rejects.toThrow(/not the one certified/);
    expect(host.health.failure).toMatch(/not the one certified/);
    expect(beats.at(-1)?.failure).toMatch(/not the one certified/);
    expect(host.node!.log.all().some((e) => e.level === 'error' && e.type === 'host:configure')).toBe(true);
    // The queue is not wedged: the next configuration applies, and actions are answered.
    await send({ type: 'host:configure', config: { ...config, revision: 3, identity: stored, settings: { ...config.settings, maxPeers: 3 } } });
    expect(host.health.failure).toBeNull();
    await expect(send({ type: 'node:retry-signaling' })).resolves.toBeNull();
  });

  it('beats every HOST_HEARTBEAT_MS and adds the background\'s lines to its log', async () => {
    const { host, clock, beats, send } = await setup();
    stopHost = () => host.stop();
    await clock.advance(HOST_HEARTBEAT_MS * 3);
    expect(beats).toHaveLength(3);
    expect(beats.every((beat) => beat.failure === null)).toBe(true);
    await send({ type: 'host:log', entries: [{ level: 'warn', type: 'background:host', message: 'the node host is gone' }] });
    expect(host.node!.log.all().at(-1)).toMatchObject({ level: 'warn', type: 'background:host', message: 'the node host is gone' });
  });

  it('stops with no timer left', async () => {
    const { host, clock } = await setup();
    host.stop();
    expect(clock.pending).toBe(0);
  });

  it('keeps the node it has when it cannot hold the node key', async () => {
    const { host, config, send } = await setup();
    stopHost = () => host.stop();
    const before = host.node;
    const { stored: foreign } = await makeIdentity();
    await send({ type: 'host:configure', config: { ...config, revision: 2, identity: foreign } }).catch(() => undefined);
    expect(host.node).toBe(before);
  });
});

describe('NodeHost file hand-off (issue 23, item 9)', () => {
  it('deletes a shared file\'s entry when it cannot share it: no file sharing, or the node switched off', async () => {
    const { store, held } = fakeBlobStore();
    const { host, config, send } = await setup({}, { blobs: store });
    stopHost = () => host.stop();
    await store.put('share:a', new Blob(['a']));
    await expect(send({ type: 'files:share', blobKey: 'share:a', name: 'a.txt' })).rejects.toMatchObject({ name: 'FileSharingError' });
    expect([...held.keys()]).toEqual([]);

    await send({ type: 'host:configure', config: { ...config, revision: 2, settings: { ...config.settings, enabled: false } } });
    await store.put('share:b', new Blob(['b']));
    await expect(send({ type: 'files:share', blobKey: 'share:b', name: 'b.txt' })).rejects.toMatchObject({ name: 'FileSharingError' });
    expect([...held.keys()]).toEqual([]);
  });

  it('sweeps entries an earlier host left behind when it starts', async () => {
    const { store, held } = fakeBlobStore();
    await store.put('share:left-over', new Blob(['a']));
    await store.put('download:' + 'f'.repeat(40), new Blob(['b']));
    const { host } = await setup({}, { blobs: store });
    stopHost = () => host.stop();
    expect([...held.keys()]).toEqual([]);
  });
});

describe('NodeHost toolbar badge', () => {
  it('hands the background a badge only when it changes, and follows the node being switched off', async () => {
    const { host, clock, config, badges, send } = await setup();
    stopHost = () => host.stop();
    await clock.advance(10);
    const settled = badges.length;
    expect(badges.at(-1)).toMatchObject({ text: '0', title: expect.stringMatching(/^Meshdeck: 0 peers, signaling open/) });
    // Stats ticks and heartbeats republish the snapshot; an unchanged badge is not sent again.
    await clock.advance(10 * HOST_HEARTBEAT_MS);
    expect(badges.length).toBe(settled);
    await send({ type: 'host:configure', config: { ...config, revision: 2, settings: { ...config.settings, enabled: false } } });
    await clock.advance(10);
    expect(badges.at(-1)).toEqual({ text: 'off', color: BADGE_COLORS.off, title: 'Meshdeck: P2P off' });
    expect(badges.length).toBe(settled + 1);
  });
});

describe('NodeHost pairing frames (issue 23, item 2)', () => {
  const join = (): Pair => ({ t: 'pair', step: 'join', proof: 'p'.repeat(43), iv: 'i'.repeat(16), box: 'b'.repeat(64) });
  /** A ready session as the node hands it with a pairing frame: what the host reads of it. */
  const session = (n: number) => {
    const sent: Pair[] = [];
    return { sent, remoteId: `n${String(n).padStart(26, 'a')}`, isReady: true, channelBinding: () => `binding ${n}`, send: (m: Pair) => void sent.push(m) };
  };

  it('carries one well-formed join per session at a time to the background, and none that is malformed', async () => {
    const asked: Pair[] = [];
    let answer: (reply: Pair) => void = () => undefined;
    const { host, clock } = await setup({
      answerPairing: ({ message }) => {
        asked.push(message);
        return new Promise<Pair>((resolve) => (answer = resolve));
      },
    });
    stopHost = () => host.stop();
    const heard = (from: ReturnType<typeof session>, message: Pair) => host.node!.events.emit('peer:pair', { session: from as unknown as PeerSession, message });

    const bare = session(1);
    for (let i = 0; i < 200; i++) heard(bare, { t: 'pair', step: 'join' });
    expect(asked).toEqual([]);

    const flooding = session(2);
    for (let i = 0; i < 200; i++) heard(flooding, join());
    expect(asked).toHaveLength(1);
    answer({ t: 'pair', step: 'refused' });
    await clock.advance(0);
    expect(flooding.sent).toEqual([{ t: 'pair', step: 'refused' }]);
    // Answered, and the session's pairing budget spent by its flood: nothing more for a while.
    heard(flooding, join());
    expect(asked).toHaveLength(1);
  });
});

