import { describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../../../core/lib/clock';
import { canonical } from '../../../../core/lib/encoding';
import type { Identity } from '../../../../core/identity/identity';
import { ANSWER_RESERVE, BROADCAST_FORWARD_RATE, FLOOD_FANOUT, FORWARD_RATE, MeshRouter, PING_ANSWER_RATE, SEND_RATE, SendBudgetError } from '../../../../core/routing/mesh-router';
import { shortestPaths } from '../../../../core/routing/route-graph';
import type { RoutedMessage } from '../../../../core/session/wire';
import { makeIdentity } from '../../../support/identities';
import { pinnedRandom } from '../../../support/pinned-random';

interface Hop {
  identity: Identity;
  router: MeshRouter;
  routing: boolean;
  neighbours: string[];
  received: RoutedMessage[];
  blocked: Set<string>;
  penalties: [string, string][];
  /** Whom this router sent each copy to, in order. */
  sentTo: string[];
  /** What deps.nextHop answers; by default the route graph of the mesh's edges (with `directed`). */
  nextHop: ((destination: string) => string | null) | null;
}

/**
 * Routers wired as a graph; `edges` are pairs of indexes. Every node knows every key (as from the
 * rendezvous). With `directed`, each knows the graph too (as from the records' neighbours) and
 * forwards along shortest paths; without it, no path is ever known.
 */
async function mesh(count: number, edges: [number, number][], options: { directed?: boolean; clock?: Clock; random?: () => number } = {}): Promise<Hop[]> {
  const identities = await Promise.all(Array.from({ length: count }, () => makeIdentity().then((m) => m.identity)));
  const keys = new Map<string, CryptoKey>();
  const { importPublicKey } = await import('../../../../core/identity/identity');
  const { fromBase64Url } = await import('../../../../core/lib/encoding');
  for (const id of identities) keys.set(id.nodeId, await importPublicKey(fromBase64Url(id.nodePub)));
  const hops: Hop[] = identities.map((identity) => ({ identity, routing: true, neighbours: [], received: [], blocked: new Set(), penalties: [], sentTo: [], nextHop: null, router: null as unknown as MeshRouter }));
  const byId = new Map(hops.map((h) => [h.identity.nodeId, h]));
  for (const [a, b] of edges) {
    hops[a]!.neighbours.push(hops[b]!.identity.nodeId);
    hops[b]!.neighbours.push(hops[a]!.identity.nodeId);
  }
  for (const hop of hops) {
    if (options.directed) {
      hop.nextHop = (destination) =>
        shortestPaths({
          self: hop.identity.nodeId,
          neighbours: hop.neighbours,
          records: hops.filter((h) => h !== hop).map((h) => ({ id: h.identity.nodeId, neighbors: h.neighbours, routing: h.routing })),
          isBlocked: (nodeId) => hop.blocked.has(nodeId),
        }).nextHop(destination);
    }
    hop.router = new MeshRouter({
      identity: hop.identity,
      clock: options.clock ?? systemClock,
      readyNeighbours: () => hop.neighbours,
      sendTo: (nodeId, message) => {
        const target = byId.get(nodeId)!;
        hop.sentTo.push(nodeId);
        const copy = structuredClone(message);
        target.received.push(copy);
        queueMicrotask(() => void target.router.receive(copy, hop.identity.nodeId));
      },
      keyOf: (nodeId) => keys.get(nodeId) ?? null,
      isBlocked: (nodeId) => hop.blocked.has(nodeId),
      routingEnabled: () => hop.routing,
      log: () => undefined,
      penalize: (nodeId, why) => hop.penalties.push([nodeId, why]),
      nextHop: (destination) => hop.nextHop?.(destination) ?? null,
      random: options.random ?? pinnedRandom(),
    });
  }
  return hops;
}

/** The system clock with time standing still for budgets: signing 30 routes takes long enough on a busy machine to refill one. */
const stillClock: Clock = { ...systemClock, monotonic: () => 1000 };

const settle = () => new Promise((r) => setTimeout(r, 30));

describe('MeshRouter', () => {
  it('pings a node three hops away through forwarding nodes and reports the path', async () => {
    const [a, b, c, d] = await mesh(4, [[0, 1], [1, 2], [2, 3]]);
    const result = await a!.router.ping(d!.identity.nodeId);
    expect(result.path).toEqual([a, b, c, d].map((h) => h!.identity.nodeId));
    expect(result.rttMs).toBeGreaterThanOrEqual(0);
    expect(b!.router.counters.forwarded).toBeGreaterThanOrEqual(1);
  });

  it('forwards nothing where routing is off, and the ping fails with a clear message', async () => {
    const [a, b, , d] = await mesh(4, [[0, 1], [1, 2], [2, 3]]);
    b!.routing = false;
    await expect(a!.router.ping(d!.identity.nodeId, 300)).rejects.toThrow(/no answer from .* mesh routing is off on the way/);
    expect(b!.router.counters.notForwarded).toBe(1);
    expect(b!.router.counters.forwarded).toBe(0);
  });

  it('delivers and forwards each message id once, however many ways it arrives', async () => {
    // A square: a–b, a–c, b–d, c–d: d hears the broadcast from b and c.
    const [a, , , d] = await mesh(4, [[0, 1], [0, 2], [1, 3], [2, 3]]);
    await a!.router.send('*', { k: 'data', n: 1 });
    await settle();
    expect(d!.received.length).toBe(2);
    expect(d!.router.counters.delivered).toBe(1);
  });

  it('decrements ttl and appends itself to the path; stops at ttl 1', async () => {
    const hops = await mesh(3, [[0, 1], [1, 2]]);
    const [a, b, c] = hops as [Hop, Hop, Hop];
    await a.router.send(c.identity.nodeId, { k: 'data' });
    await settle();
    expect(c.received[0]).toMatchObject({ ttl: 7, path: [a.identity.nodeId, b.identity.nodeId] });

    const sig = await a.identity.sign(canonical({ id: 'last-hop', src: a.identity.nodeId, dst: c.identity.nodeId, body: { k: 'data' } }));
    await b.router.receive({ t: 'route', id: 'last-hop', src: a.identity.nodeId, dst: c.identity.nodeId, ttl: 1, path: [a.identity.nodeId], body: { k: 'data' }, sig }, a.identity.nodeId);
    await settle();
    expect(c.received.filter((m) => m.id === 'last-hop')).toHaveLength(0);
  });

  it('drops and counts messages with a bad signature, a forged path, or a blocked source', async () => {
    const [a, b, c] = await mesh(3, [[0, 1], [1, 2]]);
    const src = a!.identity.nodeId;
    const body = { k: 'data' };
    const sig = await a!.identity.sign(canonical({ id: 'x1', src, dst: c!.identity.nodeId, body }));
    await b!.router.receive({ t: 'route', id: 'x1', src, dst: c!.identity.nodeId, ttl: 8, path: [src], body: { k: 'tampered' }, sig }, src);
    await b!.router.receive({ t: 'route', id: 'x2', src, dst: c!.identity.nodeId, ttl: 8, path: [c!.identity.nodeId], body, sig }, src);
    b!.blocked.add(src);
    const sig3 = await a!.identity.sign(canonical({ id: 'x3', src, dst: c!.identity.nodeId, body }));
    await b!.router.receive({ t: 'route', id: 'x3', src, dst: c!.identity.nodeId, ttl: 8, path: [src], body, sig: sig3 }, src);
    await settle();
    expect(b!.router.counters.dropped).toBe(3);
    expect(c!.received).toHaveLength(0);
  });

  it('a genuine copy still gets through after a forged copy of the same id', async () => {
    const [a, b, c] = await mesh(3, [[0, 1], [1, 2]]);
    const src = a!.identity.nodeId;
    const body = { k: 'data' };
    const sig = await a!.identity.sign(canonical({ id: 'SameRouteId12345', src, dst: c!.identity.nodeId, body }));
    await b!.router.receive({ t: 'route', id: 'SameRouteId12345', src, dst: c!.identity.nodeId, ttl: 8, path: [src], body, sig: sig.replace(/^./, (x) => (x === 'A' ? 'B' : 'A')) }, src);
    await b!.router.receive({ t: 'route', id: 'SameRouteId12345', src, dst: c!.identity.nodeId, ttl: 8, path: [src], body, sig }, src);
    await settle();
    expect(c!.received).toHaveLength(1);
  });

  it('fails a ping at once when there is no neighbour, and releases pending pings on stop', async () => {
    const [a, b] = await mesh(2, []);
    await expect(a!.router.ping(b!.identity.nodeId)).rejects.toThrow('no ready neighbour');
    const [x, y] = await mesh(2, [[0, 1]]);
    y!.routing = false;
    const pending = x!.router.ping('n' + 'z'.repeat(26));
    x!.router.stop();
    await expect(pending).rejects.toThrow('stopped');
  });

  const signedRoute = async (from: Hop, dst: string, body: Record<string, unknown>, extra: Partial<RoutedMessage> = {}): Promise<RoutedMessage> => {
    const id = extra.id ?? 'RouteIdRouteId12';
    const src = from.identity.nodeId;
    const sig = await from.identity.sign(canonical({ id, src, dst, body }));
    return { t: 'route', id, src, dst, ttl: 8, path: [src], body, sig, ...extra };
  };

  it('never answers a ping to "*": one message must not make the whole room answer', async () => {
    const [a, b, c] = await mesh(3, [[0, 1], [1, 2]]);
    await a!.router.send('*', { k: 'ping', ts: 1 });
    await settle();
    expect(b!.router.counters.delivered + c!.router.counters.delivered).toBe(2);
    const pongs = [a, b, c].flatMap((h) => h!.received).filter((m) => m.body.k === 'pong');
    expect(pongs).toEqual([]);
  });

  it('refuses a path padded with hops the ttl does not account for, and blames the sender', async () => {
    const [a, b] = await mesh(2, [[0, 1]]);
    const [p1, p2] = ['n' + 'p'.repeat(26), 'n' + 'q'.repeat(26)];
    const route = await signedRoute(a!, b!.identity.nodeId, { k: 'data' });
    // Two hops on the path, yet the ttl is still the source's 8: the hops were made up.
    await b!.router.receive({ ...route, path: [a!.identity.nodeId, p1, p2] }, p2);
    expect(b!.penalties.at(-1)).toEqual([p2, expect.stringMatching(/padded/)]);
    await b!.router.receive({ ...route, path: [a!.identity.nodeId, p1, a!.identity.nodeId] }, a!.identity.nodeId);
    expect(b!.penalties.at(-1)?.[1]).toMatch(/loops/);
    expect(b!.router.counters.dropped).toBe(2);
    expect(b!.router.counters.delivered).toBe(0);
  });

  it('de-duplicates by source and id: another source may use the same id', async () => {
    const [a, b, c] = await mesh(3, [[0, 1], [1, 2]]);
    await b!.router.receive(await signedRoute(a!, b!.identity.nodeId, { k: 'data' }), a!.identity.nodeId);
    await b!.router.receive(await signedRoute(a!, b!.identity.nodeId, { k: 'data' }), a!.identity.nodeId);
    await b!.router.receive(await signedRoute(c!, b!.identity.nodeId, { k: 'data' }), c!.identity.nodeId);
    expect(b!.router.counters.delivered).toBe(2);
  });

  it('a flood of a neighbour\'s own messages cannot push another source\'s out of the seen keys, to replay it after', async () => {
    const [a, b, c] = await mesh(3, [[0, 1], [1, 2]], { clock: stillClock });
    const recorded = await signedRoute(c!, b!.identity.nodeId, { k: 'data' });
    await b!.router.receive(recorded, c!.identity.nodeId);
    expect(b!.router.counters.delivered).toBe(1);
    // More of a's own messages than the seen keys hold (16,384), each valid and new.
    for (let i = 0; i < 16_500; i++) {
      const id = `F${String(i).padStart(15, '0')}`;
      await b!.router.receive(await signedRoute(a!, b!.identity.nodeId, { k: 'data' }, { id }), a!.identity.nodeId);
    }
    await b!.router.receive(structuredClone(recorded), a!.identity.nodeId);
    expect(b!.router.counters.delivered).toBe(1 + 16_500);
  }, 120_000);

  it('forwards at most 20 route messages a second for one source', async () => {
    const [a, b] = await mesh(3, [[0, 1], [1, 2]], { clock: stillClock });
    const far = 'n' + 'f'.repeat(26);
    for (let i = 0; i < 30; i++) {
      const id = `Flood${String(i).padStart(11, '0')}`;
      await b!.router.receive(await signedRoute(a!, far, { k: 'data' }, { id }), a!.identity.nodeId);
    }
    expect(b!.router.counters.forwarded).toBe(FORWARD_RATE.burst);
    expect(b!.router.counters.notForwarded).toBe(30 - FORWARD_RATE.burst);
  });

  it('forwards broadcasts of one source on a budget of their own, stricter than its unicast budget', async () => {
    const [a, b] = await mesh(3, [[0, 1], [1, 2]], { clock: stillClock });
    for (let i = 0; i < 10; i++) {
      const id = `Bcast${String(i).padStart(11, '0')}`;
      await b!.router.receive(await signedRoute(a!, '*', { k: 'data' }, { id }), a!.identity.nodeId);
    }
    expect(b!.router.counters.delivered).toBe(10);
    expect(b!.router.counters.forwarded).toBe(BROADCAST_FORWARD_RATE.burst);
    // The broadcasts spent none of the unicast budget.
    await b!.router.receive(await signedRoute(a!, 'n' + 'f'.repeat(26), { k: 'data' }), a!.identity.nodeId);
    expect(b!.router.counters.forwarded).toBe(BROADCAST_FORWARD_RATE.burst + 1);
  });

  describe('budgets on what this node signs (issue 23)', () => {
    const pongsFrom = (to: Hop, from: Hop) => to.received.filter((m) => m.body.k === 'pong' && m.src === from.identity.nodeId).length;
    const pingFrom = (from: Hop, to: Hop, n: number) => signedRoute(from, to.identity.nodeId, { k: 'ping', ts: n }, { id: `Ping${from.identity.nodeId.slice(1, 5)}${String(n).padStart(8, '0')}` });

    it('answers pings addressed to it on a budget per source', async () => {
      const [a, b, c] = await mesh(3, [[0, 1], [1, 2]], { clock: stillClock });
      for (let i = 0; i < 10; i++) await b!.router.receive(await pingFrom(a!, b!, i), a!.identity.nodeId);
      await settle();
      expect(b!.router.counters.delivered).toBe(10);
      expect(pongsFrom(a!, b!)).toBe(PING_ANSWER_RATE.burst);
      // Another source has a budget of its own.
      await b!.router.receive(await pingFrom(c!, b!, 0), c!.identity.nodeId);
      await settle();
      expect(pongsFrom(c!, b!)).toBe(1);
    });

    it('sends its own route messages on a budget, and answers leave part of it for its own pings and data', async () => {
      const [a, b] = await mesh(2, [[0, 1]], { clock: stillClock });
      for (let i = 0; i < SEND_RATE.burst; i++) expect(await a!.router.send(b!.identity.nodeId, { k: 'data', n: i })).toBe(true);
      await expect(a!.router.send(b!.identity.nodeId, { k: 'data' })).rejects.toThrow(SendBudgetError);
      await expect(a!.router.ping(b!.identity.nodeId)).rejects.toThrow(SendBudgetError);
      await settle();
      expect(b!.received).toHaveLength(SEND_RATE.burst);

      // Many sources pinging b, each within its own budget: b answers until ANSWER_RESERVE is left.
      const star = await mesh(8, [1, 2, 3, 4, 5, 6, 7].map((i) => [0, i] as [number, number]), { clock: stillClock });
      const [hub, ...sources] = star as [Hop, ...Hop[]];
      for (const source of sources) {
        for (let i = 0; i < PING_ANSWER_RATE.burst; i++) await hub.router.receive(await pingFrom(source, hub, i), source.identity.nodeId);
      }
      await settle();
      expect(sources.reduce((sum, source) => sum + pongsFrom(source, hub), 0)).toBe(SEND_RATE.burst - ANSWER_RESERVE);
      for (let i = 0; i < ANSWER_RESERVE; i++) expect(await hub.router.send(sources[0]!.identity.nodeId, { k: 'data' })).toBe(true);
    });
  });

  describe('directed forwarding (issue 14)', () => {
    const ids = (hops: (Hop | undefined)[]) => hops.map((h) => h!.identity.nodeId);
    const totalSent = (hops: Hop[]) => hops.reduce((sum, h) => sum + h.sentTo.length, 0);

    it('a line A–B–C–D: the ping and its pong each go one way, and the pong reports the real path', async () => {
      const hops = await mesh(4, [[0, 1], [1, 2], [2, 3]], { directed: true });
      const [a, b, c, d] = hops;
      const result = await a!.router.ping(d!.identity.nodeId);
      expect(result.path).toEqual(ids([a, b, c, d]));
      await settle();
      expect(a!.sentTo).toEqual(ids([b]));
      expect(b!.sentTo).toEqual(ids([c, a]));
      expect(c!.sentTo).toEqual(ids([d, b]));
      expect(d!.sentTo).toEqual(ids([c]));
      expect(totalSent(hops)).toBe(6);
      expect(hops.map((h) => h.router.counters.flooded)).toEqual([0, 0, 0, 0]);
      expect(b!.router.counters).toMatchObject({ forwarded: 2, directed: 2 });
    });

    it('sends a route to exactly one neighbour when a path is known', async () => {
      // a has neighbours b, c, e, f; only b leads to d.
      const [a, b, c, d, e, f] = await mesh(6, [[0, 1], [0, 2], [0, 4], [0, 5], [1, 3]], { directed: true });
      expect(await a!.router.send(d!.identity.nodeId, { k: 'data' })).toBe(true);
      await settle();
      expect(a!.sentTo).toEqual(ids([b]));
      expect([c, e, f].map((h) => h!.received.length)).toEqual([0, 0, 0]);
      expect(d!.router.counters.delivered).toBe(1);
      expect(a!.router.counters).toMatchObject({ directed: 1, flooded: 0 });
    });

    it('takes the shortest of several paths, and goes round a node with routing off', async () => {
      // a–b–c–d and a–e–d: through e; with e's routing off, through b and c.
      const [a, b, c, d, e] = await mesh(5, [[0, 1], [1, 2], [2, 3], [0, 4], [4, 3]], { directed: true });
      expect((await a!.router.ping(d!.identity.nodeId)).path).toEqual(ids([a, e, d]));
      e!.routing = false;
      expect((await a!.router.ping(d!.identity.nodeId)).path).toEqual(ids([a, b, c, d]));
    });

    it('floods to at most FLOOD_FANOUT random neighbours when no path is known', async () => {
      const spokes = Array.from({ length: 9 }, (_, i): [number, number] => [0, i + 1]);
      const hops = await mesh(10, spokes);
      const [a] = hops;
      const unknown = 'n' + 'u'.repeat(26);
      await a!.router.send(unknown, { k: 'data' });
      await settle();
      expect(a!.sentTo).toHaveLength(FLOOD_FANOUT);
      expect(new Set(a!.sentTo).size).toBe(FLOOD_FANOUT);
      expect(a!.router.counters).toMatchObject({ directed: 0, flooded: FLOOD_FANOUT });
      // Each spoke has no one else to pass it to: the flood ends there.
      expect(totalSent(hops)).toBe(FLOOD_FANOUT);
    });

    it('floods to the neighbours its random source picks', async () => {
      const spokes = Array.from({ length: 9 }, (_, i): [number, number] => [0, i + 1]);
      const unknown = 'n' + 'u'.repeat(26);
      // A source of 0 swaps nothing: the first FLOOD_FANOUT ready neighbours, in order.
      const first = await mesh(10, spokes, { random: () => 0 });
      await first[0]!.router.send(unknown, { k: 'data' });
      expect(first[0]!.sentTo).toEqual(first.slice(1, 1 + FLOOD_FANOUT).map((h) => h.identity.nodeId));
      // A source near 1 takes the last one each time.
      const last = await mesh(10, spokes, { random: () => 0.999 });
      await last[0]!.router.send(unknown, { k: 'data' });
      expect(last[0]!.sentTo[0]).toBe(last[9]!.identity.nodeId);
      expect(last[0]!.sentTo).not.toEqual(last.slice(1, 1 + FLOOD_FANOUT).map((h) => h.identity.nodeId));
    });

    it('still sends a broadcast to every ready neighbour not on the path', async () => {
      const spokes = Array.from({ length: 9 }, (_, i): [number, number] => [0, i + 1]);
      const [a] = await mesh(10, spokes, { directed: true });
      await a!.router.send('*', { k: 'data' });
      expect(a!.sentTo).toHaveLength(9);
      expect(a!.router.counters.flooded).toBe(9);
    });

    it('does not send a route back along its path when its view of the graph disagrees: it floods the rest', async () => {
      const [a, b, c, d] = await mesh(4, [[0, 1], [1, 2], [1, 3]], { directed: true });
      // b believes the way to the far node is back through a.
      b!.nextHop = () => a!.identity.nodeId;
      const far = 'n' + 'f'.repeat(26);
      await b!.router.receive(await signedRoute(a!, far, { k: 'data' }), a!.identity.nodeId);
      expect(b!.sentTo.sort()).toEqual(ids([c, d]).sort());
      expect(b!.router.counters).toMatchObject({ directed: 0, flooded: 2, forwarded: 1 });
    });

    it('costs one copy per hop in a larger mesh, where flooding costs about the sum of all degrees', async () => {
      // A ring of 16 with chords to the node 4 ahead: degree 4.
      const edges: [number, number][] = [];
      for (let i = 0; i < 16; i++) edges.push([i, (i + 1) % 16], [i, (i + 4) % 16]);
      const directed = await mesh(16, edges, { directed: true });
      const result = await directed[0]!.router.ping(directed[10]!.identity.nodeId);
      await settle();
      expect(totalSent(directed)).toBe(2 * (result.path.length - 1));
      expect(result.path.length - 1).toBe(3);
      const flooding = await mesh(16, edges);
      await flooding[0]!.router.ping(flooding[10]!.identity.nodeId);
      await settle();
      expect(totalSent(flooding)).toBeGreaterThan(10 * totalSent(directed));
    });
  });
});
