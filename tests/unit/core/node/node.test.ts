import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../../core/lib/clock';
import { MeshNode } from '../../../../core/node/node';
import { signRecord } from '../../../../core/discovery/rendezvous-record';
import type { Settings } from '../../../../core/control/settings';
import { FakeRendezvousStore, FakeSignalingHub } from '../../../support/fake-transport';
import { makeIdentity } from '../../../support/identities';

const settings: Settings = {
  enabled: true,
  signalingUrl: 'http://127.0.0.1:9000/peerjs',
  relayUrls: ['http://127.0.0.1:9000/gun'],
  room: 'default',
  iceServers: [],
  maxPeers: 8,
  routing: true,
  pauseIncoming: false,
  pauseOutgoing: false,
  signalingStop: null,
};

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('MeshNode', () => {
  const nodes: MeshNode[] = [];
  afterEach(() => {
    for (const node of nodes.splice(0)) node.stop();
  });

  async function mesh(count: number, overrides: Partial<Settings> = {}) {
    const hub = new FakeSignalingHub();
    const store = new FakeRendezvousStore();
    const made: MeshNode[] = [];
    for (let i = 0; i < count; i++) {
      const { identity } = await makeIdentity();
      const node = new MeshNode({ identity, clock: systemClock, createSignaling: hub.factory, createRendezvous: store.factory, app: 'test' });
      nodes.push(node);
      made.push(node);
    }
    for (const node of made) node.configure({ ...settings, ...overrides });
    return { hub, store, nodes: made };
  }

  const readyCount = (node: MeshNode): number => node.snapshot().totals.peers;

  it('discovers every node of the room through the rendezvous and connects to each once', async () => {
    const { nodes: [a, b, c] } = await mesh(3);
    await until(() => [a, b, c].every((n) => readyCount(n!) === 2));
    for (const node of [a, b, c]) {
      const ids = node!.snapshot().peers.map((p) => p.nodeId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).not.toContain(node!.nodeId);
    }
  });

  it('dials no more than maxPeers', async () => {
    const { nodes: made } = await mesh(4, { maxPeers: 1 });
    await until(() => made.some((n) => readyCount(n) >= 1));
    await new Promise((r) => setTimeout(r, 100));
    for (const node of made) expect(node.snapshot().peers.filter((p) => p.direction === 'outbound').length).toBeLessThanOrEqual(1);
  });

  it('disabling says bye to every peer and stops; enabling brings it all back', async () => {
    const { nodes: [a, b, c] } = await mesh(3);
    await until(() => [a, b, c].every((n) => readyCount(n!) === 2));
    a!.configure({ ...settings, enabled: false });
    expect(a!.snapshot().signaling.state).toBe('stopped');
    await until(() => readyCount(b!) === 1 && readyCount(c!) === 1);
    expect(a!.resourceCount).toEqual({ timers: 0, sessions: 0, listeners: 0 });
    a!.configure({ ...settings, enabled: true });
    await until(() => [a, b, c].every((n) => readyCount(n!) === 2));
  });

  it('counts records that fail verification and never dials them', async () => {
    const { store, nodes: [a] } = await mesh(1);
    const { identity: forger } = await makeIdentity();
    const { identity: victim } = await makeIdentity();
    const genuine = await signRecord(forger, { signal: [settings.signalingUrl], routing: false, neighbors: [] }, Date.now());
    store.put(victim.nodeId, { ...genuine, id: victim.nodeId });
    await until(() => a!.snapshot().rendezvous.invalid === 1);
    expect(a!.snapshot().peers).toHaveLength(0);
  });

  it('ignores stale records', async () => {
    const { store, nodes: [a] } = await mesh(1);
    const { identity: old } = await makeIdentity();
    store.put(old.nodeId, await signRecord(old, { signal: [settings.signalingUrl], routing: false, neighbors: [] }, Date.now() - 61_000));
    await until(() => a!.snapshot().rendezvous.stale === 1);
    expect(a!.snapshot().rendezvous.valid).toBe(0);
    expect(a!.snapshot().peers).toHaveLength(0);
  });

  it('keeps one connection when both sides dial at once', async () => {
    const { nodes: [a, b] } = await mesh(2);
    a!.dial(b!.nodeId);
    b!.dial(a!.nodeId);
    await until(() => readyCount(a!) === 1 && readyCount(b!) === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(a!.snapshot().peers).toHaveLength(1);
    expect(b!.snapshot().peers).toHaveLength(1);
  });

  it('reports observed state on every change', async () => {
    const { nodes: [a, b] } = await mesh(2);
    const states: number[] = [];
    a!.events.on('state:change', (s) => states.push(s.totals.peers));
    await until(() => readyCount(a!) === 1 && readyCount(b!) === 1);
    await until(() => states.includes(1));
  });

  it('stop() releases every timer, session and listener', async () => {
    const { nodes: [a, b] } = await mesh(2);
    await until(() => readyCount(a!) === 1);
    a!.stop();
    b!.stop();
    expect(a!.resourceCount).toEqual({ timers: 0, sessions: 0, listeners: 0 });
    expect(b!.resourceCount).toEqual({ timers: 0, sessions: 0, listeners: 0 });
  });

  it('pausing incoming refuses new connections with bye paused and keeps existing ones', async () => {
    const { nodes: [a, b, c] } = await mesh(3, { maxPeers: 0 });
    b!.dial(a!.nodeId);
    await until(() => readyCount(a!) === 1);
    a!.configure({ ...settings, maxPeers: 0, pauseIncoming: true });
    const closed: string[] = [];
    c!.events.on('peer:close', ({ reason }) => closed.push(reason));
    c!.dial(a!.nodeId);
    await until(() => closed.length === 1);
    expect(closed).toEqual(['remote:paused']);
    expect(readyCount(a!)).toBe(1);
    expect(c!.snapshot().closedPeers[0]).toMatchObject({ nodeId: a!.nodeId, reason: 'the peer is not accepting connections (paused)' });
  });

  it('pausing outgoing stops auto-dial and refuses manual dials', async () => {
    const { nodes: [a, b] } = await mesh(2, { pauseOutgoing: true });
    await new Promise((r) => setTimeout(r, 50));
    expect(readyCount(a!)).toBe(0);
    expect(() => a!.dial(b!.nodeId)).toThrow(/outgoing connections are paused/);
    a!.configure({ ...settings, pauseOutgoing: false });
    await until(() => readyCount(a!) === 1);
  });

  it('blocking a node closes its connection with bye blocked, refuses it and marks it in discovery', async () => {
    const { nodes: [a, b] } = await mesh(2);
    await until(() => readyCount(a!) === 1 && readyCount(b!) === 1);
    const reasons: string[] = [];
    b!.events.on('peer:close', ({ reason }) => reasons.push(reason));
    a!.setBlocked([b!.nodeId]);
    await until(() => reasons.length === 1);
    expect(reasons).toEqual(['remote:blocked']);
    expect(a!.snapshot().discovered.find((d) => d.nodeId === b!.nodeId)?.status).toBe('blocked');
    // b is told nothing on its next try: the handshake is refused silently.
    await new Promise((r) => setTimeout(r, 50));
    expect(readyCount(a!)).toBe(0);
    a!.setBlocked([]);
    b!.dial(a!.nodeId);
    await until(() => readyCount(a!) === 1);
  });

  it('blocking a user refuses every node that user certifies', async () => {
    const { nodes: [a, b] } = await mesh(2);
    await until(() => readyCount(a!) === 1);
    const userOfB = a!.snapshot().peers[0]!.userId!;
    a!.setBlocked([userOfB]);
    await until(() => readyCount(a!) === 0);
    expect(() => a!.dial(b!.nodeId)).toThrow(/blocked/);
  });

  it('refresh reports the nodes it found and the dials it started', async () => {
    const { store, nodes: [a] } = await mesh(1, { maxPeers: 8 });
    const { identity: late } = await makeIdentity();
    store.records.set(late.nodeId, await signRecord(late, { signal: [settings.signalingUrl], routing: true, neighbors: [] }, Date.now()));
    const result = await a!.refreshPeers();
    expect(result.found).toBe(1);
    expect(result.dialling).toBe(1);
  });

  it('logs connections, closes and control changes in its event log', async () => {
    const { nodes: [a, b] } = await mesh(2);
    await until(() => readyCount(a!) === 1);
    a!.configure({ ...settings, routing: false });
    b!.stop();
    await until(() => readyCount(a!) === 0);
    const types = a!.log.all().map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['control:enabled', 'peer:ready', 'control:routing', 'peer:close']));
  });

  it('stop signaling leaves the server but keeps open connections, and resumes by itself at the end time', async () => {
    const { hub, nodes: [a, b] } = await mesh(2);
    await until(() => readyCount(a!) === 1);
    a!.configure({ ...settings, signalingStop: { until: Date.now() + 150 } });
    expect(a!.snapshot().signaling).toMatchObject({ state: 'stopped', stoppedByUser: true });
    expect(hub.registered.has(a!.nodeId)).toBe(false);
    expect(readyCount(a!)).toBe(1);
    expect(readyCount(b!)).toBe(1);
    await until(() => a!.snapshot().signaling.state === 'open');
    expect(a!.snapshot().signaling.stoppedByUser).toBe(false);
    expect(hub.registered.has(a!.nodeId)).toBe(true);
  });

  it('announces no signaling endpoint while stopped, so others do not dial it', async () => {
    const { store, nodes: [a] } = await mesh(1, { signalingStop: { until: null } });
    await until(() => store.records.has(a!.nodeId));
    expect(JSON.parse((store.records.get(a!.nodeId) as { signal: string }).signal)).toEqual([]);
    a!.configure({ ...settings, signalingStop: null });
    await until(() => JSON.parse((store.records.get(a!.nodeId) as { signal: string }).signal).length === 1);
  });

  it('does not redial a node the user disconnected, unless the user asks', async () => {
    const { nodes: [a, b] } = await mesh(2);
    await until(() => readyCount(a!) === 1);
    a!.disconnect(b!.nodeId, 'user-disconnect');
    await until(() => readyCount(b!) === 0);
    expect(a!.snapshot().closedPeers[0]).toMatchObject({ nodeId: b!.nodeId, reason: 'disconnected by you' });
    await new Promise((r) => setTimeout(r, 100));
    a!.refreshPeers().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(readyCount(a!)).toBe(0);
    a!.dial(b!.nodeId, { userAsked: true });
    await until(() => readyCount(a!) === 1);
  });

  it('announces a burst of neighbour changes once, not once per change', async () => {
    const { store, nodes: [a, b] } = await mesh(2, { maxPeers: 0 });
    await new Promise((r) => setTimeout(r, 20));
    const announced = () => (store.records.get(a!.nodeId) as { ts: number } | undefined)?.ts;
    let puts = 0;
    const put = store.put.bind(store);
    store.put = (id, record) => {
      if (id === a!.nodeId) puts++;
      put(id, record);
    };
    for (let i = 0; i < 10; i++) {
      a!.dial(b!.nodeId);
      await until(() => readyCount(a!) === 1);
      a!.disconnect(b!.nodeId, 'shutdown');
      await until(() => readyCount(a!) === 0);
    }
    await new Promise((r) => setTimeout(r, 1200));
    expect(announced()).toBeDefined();
    expect(puts).toBeLessThanOrEqual(3);
  });
});
