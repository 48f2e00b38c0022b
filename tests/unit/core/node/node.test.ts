/**
 * MeshNode over in-memory transports, on a fake clock: no test waits for real time to pass. What
 * completes on the real event loop (WebCrypto signing and verifying records and hellos) is awaited
 * with `eventually`, which moves no node timer; what the node does on its timers (dial sweeps,
 * announces, the end of a signaling stop, the redial hold) happens only when the test advances time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MeshNode } from '../../../../core/node/node';
import { REFRESH_SETTLE_MS } from '../../../../core/node/refresh-peers';
import { DIAL_SWEEP_MS } from '../../../../core/node/online-run';
import { STALLED_DIAL_MS } from '../../../../core/node/auto-dialler';
import { NEIGHBOUR_ANNOUNCE_MIN_MS } from '../../../../core/node/announcer';
import { STRANGER_DIALS } from '../../../../core/node/dial-budget';
import { RECORD_STALE_MS, signRecord } from '../../../../core/discovery/rendezvous-record';
import { defaultSettings, type Settings } from '../../../../core/settings/settings';
import type { SignalingFactory } from '../../../../core/signaling/signaling';
import { type MemoryLink, MemoryNetwork } from '../../../../server/sim/memory-network';
import { FakeClock, eventually, settle } from '../../../support/fake-clock';
import { makeIdentity } from '../../../support/identities';
import { Identity } from '../../../../core/identity/identity';
import { loadOrCreateIdentity } from '../../../../core/identity/identity-store';
import { memoryNodeKeyStore } from '../../../../core/identity/node-key-store';
import { memoryStore } from '../../../support/memory-store';
import { pinnedRandom } from '../../../support/pinned-random';

const settings = defaultSettings();

describe('MeshNode', () => {
  const nodes: MeshNode[] = [];
  afterEach(() => {
    for (const node of nodes.splice(0)) node.stop();
  });

  /** The nodes' random choices, pinned: each test's dials go in the same order on every run. */
  let random = pinnedRandom();
  beforeEach(() => {
    random = pinnedRandom();
  });

  async function mesh(count: number, overrides: Partial<Settings> = {}) {
    const clock = new FakeClock();
    const network = new MemoryNetwork();
    const { store } = network;
    /** Every dial any node of the mesh made, in order. */
    const dials: { from: string; to: string; at: number }[] = [];
    const createSignaling: SignalingFactory = (options) => {
      const signaling = network.createSignaling(options);
      const dial = signaling.dial.bind(signaling);
      signaling.dial = (to) => {
        dials.push({ from: options.nodeId, to, at: clock.now() });
        return dial(to);
      };
      return signaling;
    };
    const made: MeshNode[] = [];
    for (let i = 0; i < count; i++) {
      const { identity } = await makeIdentity();
      const node = new MeshNode({ identity, clock, createSignaling, createRendezvous: network.createRendezvous, app: 'test', random });
      nodes.push(node);
      made.push(node);
    }
    for (const node of made) node.configure({ ...settings, ...overrides });
    return { clock, network, store, dials, nodes: made };
  }

  const readyCount = (node: MeshNode): number => node.snapshot().totals.peers;
  const knows = (node: MeshNode, other: MeshNode): boolean => node.snapshot().discovered.some((d) => d.nodeId === other.nodeId);

  it('discovers every node of the room through the rendezvous and connects to each once', async () => {
    const { nodes: [a, b, c] } = await mesh(3);
    await eventually(() => [a, b, c].every((n) => readyCount(n!) === 2), 'all connected');
    for (const node of [a, b, c]) {
      const ids = node!.snapshot().peers.map((p) => p.nodeId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).not.toContain(node!.nodeId);
    }
  });

  it('disabling says bye to every peer and stops; enabling brings it all back', async () => {
    const { nodes: [a, b, c] } = await mesh(3);
    await eventually(() => [a, b, c].every((n) => readyCount(n!) === 2), 'all connected');
    a!.configure({ ...settings, enabled: false });
    expect(a!.snapshot().signaling.state).toBe('stopped');
    await eventually(() => readyCount(b!) === 1 && readyCount(c!) === 1, 'b and c lost a');
    expect(a!.resourceCount).toEqual({ timers: 0, sessions: 0, listeners: 0, refused: 0 });
    a!.configure({ ...settings, enabled: true });
    await eventually(() => [a, b, c].every((n) => readyCount(n!) === 2), 'all connected again');
  });

  describe('a newly found node and dials nobody answers (a Sybil storm)', () => {
    async function stalledBySybils(maxPeers: number) {
      const made = await mesh(1, { maxPeers });
      const { clock, network, store, nodes: [a] } = made;
      for (let i = 0; i < maxPeers; i++) {
        const { identity: sybil } = await makeIdentity();
        network.unanswered.add(sybil.nodeId);
        store.put(sybil.nodeId, await signRecord(sybil, { signal: [settings.signalingUrl], routing: false, neighbors: [] }, clock.now()));
      }
      const connecting = () => a!.snapshot().peers.filter((p) => p.direction === 'outbound' && p.state === 'connecting').length;
      await eventually(() => connecting() === maxPeers, 'every slot taken by an unanswered dial');
      const newcomer = async () => {
        const { identity } = await makeIdentity();
        const node = new MeshNode({ identity, clock, createSignaling: network.createSignaling, createRendezvous: network.createRendezvous, app: 'test', random });
        nodes.push(node);
        node.configure({ ...settings, maxPeers: 0 });
        return node;
      };
      return { ...made, a: a!, newcomer };
    }

    it('takes the slot of a dial unanswered for STALLED_DIAL_MS', async () => {
      const { clock, a, newcomer } = await stalledBySybils(2);
      await clock.advance(STALLED_DIAL_MS);
      const b = await newcomer();
      await eventually(() => a.snapshot().peers.some((p) => p.nodeId === b.nodeId && p.state === 'ready'), 'the newcomer ready');
      expect(a.snapshot().closedPeers.map((c) => c.reason)).toContain('unanswered dial given up for a newly found node');
      expect(a.snapshot().peers).toHaveLength(2);
    });

    /** One node with room for 64 peers, and `count` validly signed records of nodes nobody answers for, its first burst of dials made. */
    async function roomOfSybils(count: number) {
      const made = await mesh(1, { maxPeers: 64 });
      const { clock, network, store, dials } = made;
      for (let i = 0; i < count; i++) {
        const { identity: sybil } = await makeIdentity();
        network.unanswered.add(sybil.nodeId);
        store.put(sybil.nodeId, await signRecord(sybil, { signal: [settings.signalingUrl], routing: false, neighbors: [] }, clock.now()));
      }
      await eventually(() => dials.length >= STRANGER_DIALS.burst, 'the burst dialled');
      return made;
    }

    it('spaces the sweep out while nobody answers: 40 Sybils cost a few dials once they failed, and a newcomer is still dialled at once', async () => {
      const { clock, store, dials } = await roomOfSybils(40);
      // Until the records go stale: at the plain budget, the burst and one every 2 s (35 dials).
      const fresh = RECORD_STALE_MS - 5000;
      for (let t = 0; t < fresh; t += 1000) await clock.advance(1000);
      await settle();
      expect(dials.length).toBeLessThanOrEqual(STRANGER_DIALS.burst + 12);
      const { identity: newcomer } = await makeIdentity();
      store.put(newcomer.nodeId, await signRecord(newcomer, { signal: [settings.signalingUrl], routing: false, neighbors: [] }, clock.now()));
      await eventually(() => dials.some((d) => d.to === newcomer.nodeId), 'the newcomer dialled at once');
    });

    it('dials strangers on a budget: a room of records nobody answers costs a few dials a second, the first eight at once', async () => {
      const { clock, dials } = await roomOfSybils(30);
      await clock.advance(100);
      expect(dials.length).toBe(STRANGER_DIALS.burst);
      await clock.advance(10_000);
      await settle();
      expect(dials.length).toBeLessThanOrEqual(STRANGER_DIALS.burst + 10_100 / 1000 * STRANGER_DIALS.perSecond + 1);
      expect(dials.length).toBeGreaterThan(STRANGER_DIALS.burst);
    });

  });

  it('ignores stale records', async () => {
    const { clock, store, dials, nodes: [a] } = await mesh(1);
    const { identity: old } = await makeIdentity();
    store.put(old.nodeId, await signRecord(old, { signal: [settings.signalingUrl], routing: false, neighbors: [] }, clock.now() - RECORD_STALE_MS - 1000));
    await eventually(() => a!.snapshot().rendezvous.stale === 1, 'the stale record seen');
    await clock.advance(2 * DIAL_SWEEP_MS);
    expect(a!.snapshot().rendezvous.valid).toBe(0);
    expect(a!.snapshot().peers).toHaveLength(0);
    expect(dials).toEqual([]);
  });

  it('keeps one connection when both sides dial at once', async () => {
    const { clock, nodes: [a, b] } = await mesh(2);
    a!.dial(b!.nodeId);
    b!.dial(a!.nodeId);
    await eventually(() => readyCount(a!) === 1 && readyCount(b!) === 1, 'connected');
    // A dial sweep later, still one: neither the second link nor the auto-dialler added another.
    await clock.advance(DIAL_SWEEP_MS);
    expect(a!.snapshot().peers).toHaveLength(1);
    expect(b!.snapshot().peers).toHaveLength(1);
  });

  it('reports observed state on every change', async () => {
    const { nodes: [a, b] } = await mesh(2);
    const states: number[] = [];
    a!.events.on('state:change', (s) => states.push(s.totals.peers));
    await eventually(() => readyCount(a!) === 1 && readyCount(b!) === 1, 'connected');
    await eventually(() => states.includes(1), 'a state with the peer reported');
  });

  it('stop() releases every timer, session and listener', async () => {
    const { clock, nodes: [a, b] } = await mesh(2);
    await eventually(() => readyCount(a!) === 1, 'connected');
    a!.stop();
    b!.stop();
    expect(a!.resourceCount).toEqual({ timers: 0, sessions: 0, listeners: 0, refused: 0 });
    expect(b!.resourceCount).toEqual({ timers: 0, sessions: 0, listeners: 0, refused: 0 });
    // Nor any timer of a session, the router or the snapshot publisher.
    expect(clock.pending).toBe(0);
  });

  it('pausing incoming refuses new connections with bye paused and keeps existing ones', async () => {
    const { nodes: [a, b, c] } = await mesh(3, { maxPeers: 0 });
    b!.dial(a!.nodeId);
    await eventually(() => readyCount(a!) === 1, 'b connected to a');
    a!.configure({ ...settings, maxPeers: 0, pauseIncoming: true });
    const closed: string[] = [];
    c!.events.on('peer:close', ({ reason }) => closed.push(reason));
    c!.dial(a!.nodeId);
    await eventually(() => closed.length === 1, 'c refused');
    expect(closed).toEqual(['remote:paused']);
    expect(readyCount(a!)).toBe(1);
    expect(c!.snapshot().closedPeers[0]).toMatchObject({ nodeId: a!.nodeId, reason: 'the peer is not accepting connections (paused)' });
  });

  it('pausing outgoing stops auto-dial and refuses manual dials', async () => {
    const { clock, dials, nodes: [a, b] } = await mesh(2, { pauseOutgoing: true });
    await eventually(() => knows(a!, b!) && knows(b!, a!), 'each discovered the other');
    // Two dial sweeps with a fresh record of the other: neither dialled.
    await clock.advance(2 * DIAL_SWEEP_MS);
    expect(dials).toEqual([]);
    expect(a!.snapshot().peers).toHaveLength(0);
    expect(() => a!.dial(b!.nodeId)).toThrow(/outgoing connections are paused/);
    a!.configure({ ...settings, pauseOutgoing: false });
    await eventually(() => readyCount(a!) === 1, 'connected once outgoing resumed');
  });

  it('blocking a node closes its connection with bye blocked, refuses it and marks it in discovery', async () => {
    const { nodes: [a, b] } = await mesh(2);
    await eventually(() => readyCount(a!) === 1 && readyCount(b!) === 1, 'connected');
    const reasons: string[] = [];
    b!.events.on('peer:close', ({ reason }) => reasons.push(reason));
    a!.setBlocked([b!.nodeId]);
    await eventually(() => reasons.length === 1, 'b told');
    expect(reasons).toEqual(['remote:blocked']);
    expect(a!.snapshot().discovered.find((d) => d.nodeId === b!.nodeId)?.status).toBe('blocked');

    // b is told nothing on its next try: the handshake is refused silently, with no bye.
    const retry = b!.dial(a!.nodeId);
    const toB = (retry.link as MemoryLink).other!;
    await eventually(() => reasons.length === 2 || retry.isReady, 'b’s retry settled');
    expect(retry.isReady).toBe(false);
    expect(reasons[1]).toBe('transport-closed');
    expect(toB.sent.map((frame) => (JSON.parse(frame) as { t: string }).t)).toEqual(['hello']);
    expect(readyCount(a!)).toBe(0);
    expect(readyCount(b!)).toBe(0);
    expect(a!.snapshot().closedPeers[0]).toMatchObject({ nodeId: b!.nodeId, reason: 'handshake refused', lastError: 'blocked' });
    expect(a!.snapshot().totals.handshakesRefused).toBe(1);

    a!.setBlocked([]);
    b!.dial(a!.nodeId);
    await eventually(() => readyCount(a!) === 1, 'connected once unblocked');
  });

  it('blocking a user refuses every node that user certifies', async () => {
    const { nodes: [a, b] } = await mesh(2);
    await eventually(() => readyCount(a!) === 1, 'connected');
    const userOfB = a!.snapshot().peers[0]!.userId!;
    a!.setBlocked([userOfB]);
    await eventually(() => readyCount(a!) === 0, 'b closed');
    expect(() => a!.dial(b!.nodeId)).toThrow(/blocked/);
  });

  describe('Trusted peers only (issue 13)', () => {
    const closesOf = (node: MeshNode) => {
      const reasons: string[] = [];
      node.events.on('peer:close', ({ reason }) => reasons.push(reason));
      return reasons;
    };

    it('turning it on closes the connections to untrusted peers with bye blocked and keeps the trusted ones; untrusting closes too', async () => {
      const { nodes: [a, b, c] } = await mesh(3);
      await eventually(() => [a, b, c].every((n) => readyCount(n!) === 2), 'all connected');
      a!.setTrusted([b!.nodeId]);
      expect(a!.snapshot().peers.map((p) => [p.nodeId, p.trusted]).sort()).toEqual([[b!.nodeId, true], [c!.nodeId, false]].sort());
      expect(readyCount(a!)).toBe(2);
      const atC = closesOf(c!);
      a!.configure({ ...settings, trustedOnly: true });
      await eventually(() => atC.length === 1, 'c told');
      expect(atC).toEqual(['remote:blocked']);
      expect(a!.snapshot().peers.map((p) => p.nodeId)).toEqual([b!.nodeId]);
      expect(a!.log.all().some((e) => e.type === 'control:trust' && /trusted peers only/.test(e.message))).toBe(true);

      const atB = closesOf(b!);
      a!.setTrusted([]);
      await eventually(() => atB.length === 1, 'b told');
      expect(atB).toEqual(['remote:blocked']);
      expect(readyCount(a!)).toBe(0);
    });

    it('the auto-dialler skips strangers, a dial the user asks for is refused in words, and a trusted node is dialled', async () => {
      const { clock, dials, nodes: [a, b] } = await mesh(2, { trustedOnly: true });
      await eventually(() => knows(a!, b!) && knows(b!, a!), 'each discovered the other');
      await clock.advance(2 * DIAL_SWEEP_MS);
      expect(dials).toEqual([]);
      expect(() => a!.dial(b!.nodeId, { userAsked: true })).toThrowError(expect.objectContaining({ name: 'NotTrustedError', message: expect.stringMatching(/not a trusted peer/) }));
      // Each trusts the other (by node ID, and by user ID): the dial sweeps connect them.
      a!.setTrusted([b!.nodeId]);
      b!.setTrusted([a!.snapshot().userId]);
      await eventually(() => readyCount(a!) === 1 && readyCount(b!) === 1, 'the trusted peers connected');
    });

    it("trusts the user's own browsers without listing them", async () => {
      const { clock, network, nodes: [a] } = await mesh(1, { trustedOnly: true });
      // Two browsers of one user (another than a's): the user key comes through the same sync area.
      const sync = memoryStore();
      const browserOfUser = async () => {
        const keys = memoryNodeKeyStore();
        const identity = await Identity.fromStored(await loadOrCreateIdentity({ local: memoryStore(), sync, keys }), keys);
        const node = new MeshNode({ identity, clock, createSignaling: network.createSignaling, createRendezvous: network.createRendezvous, app: 'test', random });
        nodes.push(node);
        return node;
      };
      const mine = await browserOfUser();
      const sibling = await browserOfUser();
      expect(mine.snapshot().userId).toBe(sibling.snapshot().userId);
      mine.configure({ ...settings, trustedOnly: true });
      sibling.configure({ ...settings, trustedOnly: true });
      await eventually(() => readyCount(mine) === 1 && readyCount(sibling) === 1, "the user's two browsers connected");
      expect(mine.snapshot().peers[0]).toMatchObject({ nodeId: sibling.nodeId, trusted: true });
      // The stranger of the room (a, another user) is connected to neither.
      await clock.advance(2 * DIAL_SWEEP_MS);
      expect(mine.snapshot().peers.map((p) => p.nodeId)).toEqual([sibling.nodeId]);
      expect(readyCount(a!)).toBe(0);
    });
  });

  it('logs connections, closes and control changes in its event log', async () => {
    const { nodes: [a, b] } = await mesh(2);
    await eventually(() => readyCount(a!) === 1, 'connected');
    a!.configure({ ...settings, routing: false });
    b!.stop();
    await eventually(() => readyCount(a!) === 0, 'b gone');
    const types = a!.log.all().map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['control:enabled', 'peer:ready', 'control:routing', 'peer:close']));
  });

  it('stop signaling leaves the server but keeps open connections, and resumes by itself at the end time', async () => {
    const { clock, network, nodes: [a, b] } = await mesh(2);
    await eventually(() => readyCount(a!) === 1, 'connected');
    a!.configure({ ...settings, signalingStop: { until: clock.now() + 150 } });
    expect(a!.snapshot().signaling).toMatchObject({ state: 'stopped', stoppedByUser: true });
    expect(network.registered.has(a!.nodeId)).toBe(false);
    expect(readyCount(a!)).toBe(1);
    expect(readyCount(b!)).toBe(1);
    await clock.advance(149);
    expect(a!.snapshot().signaling).toMatchObject({ state: 'stopped', stoppedByUser: true });
    await clock.advance(1);
    expect(a!.snapshot().signaling).toMatchObject({ state: 'open', stoppedByUser: false });
    expect(network.registered.has(a!.nodeId)).toBe(true);
  });

  it('does not redial a node the user disconnected, unless the user asks', async () => {
    const { clock, dials, nodes: [a, b] } = await mesh(2);
    await eventually(() => readyCount(a!) === 1, 'connected');
    a!.disconnect(b!.nodeId, 'user-disconnect');
    await eventually(() => readyCount(b!) === 0, 'b told');
    expect(a!.snapshot().closedPeers[0]).toMatchObject({ nodeId: b!.nodeId, reason: 'disconnected by you' });
    const before = dials.length;
    // Several dial sweeps and a refresh, with a fresh record of b in hand: no dial, by either side.
    await clock.advance(3 * DIAL_SWEEP_MS);
    const refresh = a!.refreshPeers();
    await clock.advance(REFRESH_SETTLE_MS);
    expect((await refresh).dialling).toBe(0);
    expect(a!.snapshot().discovered.find((d) => d.nodeId === b!.nodeId)?.status).toBe('known');
    expect(dials.slice(before)).toEqual([]);
    expect(a!.snapshot().peers).toHaveLength(0);
    a!.dial(b!.nodeId, { userAsked: true });
    await eventually(() => readyCount(a!) === 1, 'reconnected when asked');
  });

  it('routes a mesh ping along the records’ shortest path, one neighbour at a time (issue 14)', async () => {
    const { clock, nodes: line } = await mesh(4, { maxPeers: 0 });
    const [a, b, c, d] = line as [MeshNode, MeshNode, MeshNode, MeshNode];
    a.dial(b.nodeId);
    b.dial(c.nodeId);
    c.dial(d.nodeId);
    await eventually(() => readyCount(a) === 1 && readyCount(b) === 2 && readyCount(c) === 2 && readyCount(d) === 1, 'a line a–b–c–d');
    await clock.advance(NEIGHBOUR_ANNOUNCE_MIN_MS);
    const lists = (node: MeshNode, of: MeshNode) => node.snapshot().discovered.find((n) => n.nodeId === of.nodeId)?.neighbors ?? [];
    await eventually(() => lists(a, b).includes(c.nodeId) && lists(a, c).includes(d.nodeId) && lists(a, d).includes(c.nodeId) && lists(b, d).length === 1, 'the records list the line');
    const result = await a.meshPing(d.nodeId);
    expect(result.path).toEqual([a, b, c, d].map((n) => n.nodeId));
    await eventually(() => a.snapshot().routing.delivered === 1, 'the pong back');
    const routing = line.map((n) => n.snapshot().routing);
    // The ping and the pong each crossed three links, one copy per link: no flooding.
    expect(routing.map((r) => r.flooded)).toEqual([0, 0, 0, 0]);
    expect(routing.map((r) => r.directed)).toEqual([1, 2, 2, 1]);
  });
});

