import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../../core/lib/clock';
import { canonical } from '../../../../core/lib/encoding';
import type { Identity } from '../../../../core/identity/identity';
import { FORWARD_RATE, MeshRouter } from '../../../../core/routing/mesh-router';
import type { Route } from '../../../../core/session/wire';
import { makeIdentity } from '../../../support/identities';

interface Hop {
  identity: Identity;
  router: MeshRouter;
  routing: boolean;
  neighbours: string[];
  received: Route[];
  blocked: Set<string>;
  penalties: [string, string][];
}

/** Routers wired as a graph; `edges` are pairs of indexes. Every node knows every key (as from the rendezvous). */
async function mesh(count: number, edges: [number, number][]): Promise<Hop[]> {
  const identities = await Promise.all(Array.from({ length: count }, () => makeIdentity().then((m) => m.identity)));
  const keys = new Map<string, CryptoKey>();
  const { importPublicKey } = await import('../../../../core/identity/identity');
  const { fromBase64Url } = await import('../../../../core/lib/encoding');
  for (const id of identities) keys.set(id.nodeId, await importPublicKey(fromBase64Url(id.nodePub)));
  const hops: Hop[] = identities.map((identity) => ({ identity, routing: true, neighbours: [], received: [], blocked: new Set(), penalties: [], router: null as unknown as MeshRouter }));
  const byId = new Map(hops.map((h) => [h.identity.nodeId, h]));
  for (const [a, b] of edges) {
    hops[a]!.neighbours.push(hops[b]!.identity.nodeId);
    hops[b]!.neighbours.push(hops[a]!.identity.nodeId);
  }
  for (const hop of hops) {
    hop.router = new MeshRouter({
      identity: hop.identity,
      clock: systemClock,
      readyNeighbours: () => hop.neighbours,
      sendTo: (nodeId, message) => {
        const target = byId.get(nodeId)!;
        const copy = structuredClone(message);
        target.received.push(copy);
        queueMicrotask(() => void target.router.receive(copy, hop.identity.nodeId));
      },
      keyOf: (nodeId) => keys.get(nodeId) ?? null,
      isBlocked: (nodeId) => hop.blocked.has(nodeId),
      routingEnabled: () => hop.routing,
      log: () => undefined,
      penalize: (nodeId, why) => hop.penalties.push([nodeId, why]),
    });
  }
  return hops;
}

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

  const signedRoute = async (from: Hop, dst: string, body: Record<string, unknown>, extra: Partial<Route> = {}): Promise<Route> => {
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

  it('forwards at most 20 route messages a second for one source', async () => {
    const [a, b] = await mesh(3, [[0, 1], [1, 2]]);
    const far = 'n' + 'f'.repeat(26);
    for (let i = 0; i < 30; i++) {
      const id = `Flood${String(i).padStart(11, '0')}`;
      await b!.router.receive(await signedRoute(a!, far, { k: 'data' }, { id }), a!.identity.nodeId);
    }
    expect(b!.router.counters.forwarded).toBe(FORWARD_RATE.burst);
    expect(b!.router.counters.notForwarded).toBe(30 - FORWARD_RATE.burst);
  });
});
