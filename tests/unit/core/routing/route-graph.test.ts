import { describe, expect, it } from 'vitest';
import { MAX_TTL } from '../../../../core/routing/mesh-router';
import { REBUILD_MAX_MS, REBUILD_MIN_MS, RouteCache, shortestPath, shortestPaths, type GraphRecord, type RouteGraphInput } from '../../../../core/routing/route-graph';

const id = (name: string) => 'n' + name.padEnd(26, 'a');
const SELF = id('self');

/**
 * The graph of `edges` ("a-b": both ends announce it), as this node sees it: its own ready
 * neighbours are those of `self`'s edges; every other node has a record.
 */
function graph(edges: string[], options: { oneSided?: string[]; routingOff?: string[]; blocked?: string[]; noRecord?: string[] } = {}): RouteGraphInput {
  const lists = new Map<string, string[]>();
  const add = (from: string, to: string) => lists.set(id(from), [...(lists.get(id(from)) ?? []), id(to)]);
  for (const edge of edges) {
    const [a, b] = edge.split('-') as [string, string];
    add(a, b);
    add(b, a);
  }
  // "a>b": only a lists b.
  for (const edge of options.oneSided ?? []) {
    const [a, b] = edge.split('>') as [string, string];
    add(a, b);
    if (!lists.has(id(b))) lists.set(id(b), []);
  }
  const records: GraphRecord[] = [...lists]
    .filter(([node]) => node !== SELF && !(options.noRecord ?? []).map(id).includes(node))
    .map(([node, neighbors]) => ({ id: node, neighbors, routing: !(options.routingOff ?? []).map(id).includes(node) }));
  return {
    self: SELF,
    neighbours: lists.get(SELF) ?? [],
    records,
    isBlocked: (node) => (options.blocked ?? []).map(id).includes(node),
  };
}

const names = (path: string[] | null) => path?.map((hop) => hop.slice(1).replace(/a+$/, '')) ?? null;

describe('route graph', () => {
  it('finds a shortest path by hop count, and the neighbour first on it', () => {
    const input = graph(['self-b', 'b-c', 'c-d', 'd-e', 'self-f', 'f-e']);
    expect(names(shortestPath(input, id('e')))).toEqual(['self', 'f', 'e']);
    expect(names(shortestPath(input, id('d')))).toEqual(['self', 'b', 'c', 'd']);
    const tree = shortestPaths(input);
    expect(tree.nextHop(id('e'))).toBe(id('f'));
    expect(tree.nextHop(id('c'))).toBe(id('b'));
    expect(tree.size).toBe(5);
  });

  it('counts only edges both ends announce: a forged record cannot pull traffic through a node', () => {
    // m claims a short cut to e; e does not list m back. The short cut is not taken.
    const input = graph(['self-b', 'b-c', 'c-e', 'self-m'], { oneSided: ['m>e'] });
    expect(names(shortestPath(input, id('e')))).toEqual(['self', 'b', 'c', 'e']);
    // The other way round: e claims m, m does not list e.
    const reverse = graph(['self-b', 'b-c', 'c-e', 'self-m'], { oneSided: ['e>m'] });
    expect(names(shortestPath(reverse, id('e')))).toEqual(['self', 'b', 'c', 'e']);
    // Only one-sided edges: the destination is not reachable at all.
    expect(shortestPath(graph(['self-m'], { oneSided: ['m>x'] }), id('x'))).toBeNull();
  });

  it('trusts the edges this node holds itself, without a record of the neighbour', () => {
    const input = graph(['self-b', 'b-c'], { noRecord: ['b'] });
    expect(names(shortestPath(input, id('b')))).toEqual(['self', 'b']);
    // b has no record: nothing says it routes, so it is no hop.
    expect(shortestPath(input, id('c'))).toBeNull();
  });

  it('never uses a blocked node or one with routing off as a hop, yet reaches them as destinations', () => {
    const edges = ['self-b', 'b-e', 'self-c', 'c-d', 'd-e'];
    expect(names(shortestPath(graph(edges), id('e')))).toEqual(['self', 'b', 'e']);
    expect(names(shortestPath(graph(edges, { blocked: ['b'] }), id('e')))).toEqual(['self', 'c', 'd', 'e']);
    expect(names(shortestPath(graph(edges, { routingOff: ['b'] }), id('e')))).toEqual(['self', 'c', 'd', 'e']);
    expect(names(shortestPath(graph(edges, { routingOff: ['b', 'd'] }), id('d')))).toEqual(['self', 'c', 'd']);
    expect(names(shortestPath(graph(edges, { routingOff: ['e'] }), id('e')))).toEqual(['self', 'b', 'e']);
    expect(shortestPath(graph(edges, { routingOff: ['b'], blocked: ['c'] }), id('e'))).toBeNull();
  });

  it('returns null for an unknown destination, this node, and one farther than a route travels', () => {
    const line = Array.from({ length: MAX_TTL + 2 }, (_, i) => `${i === 0 ? 'self' : 'h' + String.fromCharCode(97 + i)}`);
    const edges = line.slice(1).map((hop, i) => `${line[i]}-${hop}`);
    const input = graph(edges);
    expect(shortestPath(input, id('nobody'))).toBeNull();
    expect(shortestPath(input, SELF)).toBeNull();
    expect(shortestPath(input, id(line[MAX_TTL]!))).toHaveLength(MAX_TTL + 1);
    expect(shortestPath(input, id(line[MAX_TTL + 1]!))).toBeNull();
  });

  it('ignores a record of this node and a record listing itself', () => {
    const input = graph(['self-b', 'b-c']);
    const records = [...input.records, { id: SELF, neighbors: [id('x')], routing: true }, { id: id('x'), neighbors: [SELF, id('x')], routing: true }];
    expect(shortestPath({ ...input, records }, id('x'))).toBeNull();
    expect(names(shortestPath({ ...input, records }, id('c')))).toEqual(['self', 'b', 'c']);
  });
});

describe('RouteCache', () => {
  function cache() {
    const state = { now: 0, revision: 0, neighbours: [id('b')] as string[], searches: 0, edges: ['self-b', 'b-c'] };
    const routes = new RouteCache({
      now: () => state.now,
      revision: () => state.revision,
      context: () => [state.neighbours.join()],
      input: () => {
        state.searches++;
        return { ...graph(state.edges), neighbours: state.neighbours };
      },
    });
    return { state, routes };
  }

  it('searches once for many look-ups, and again at once when this node’s neighbours change', () => {
    const { state, routes } = cache();
    for (let i = 0; i < 100; i++) expect(routes.nextHop(id('c'))).toBe(id('b'));
    expect(state.searches).toBe(1);
    state.neighbours = [];
    expect(routes.nextHop(id('c'))).toBeNull();
    expect(state.searches).toBe(2);
  });

  it('takes a change of records at most every REBUILD_MIN_MS, and searches again after REBUILD_MAX_MS anyway', () => {
    const { state, routes } = cache();
    expect(routes.path(id('c'))).toHaveLength(3);
    state.edges = ['self-b', 'b-c', 'c-d'];
    state.revision++;
    expect(routes.nextHop(id('d'))).toBeNull();
    state.now += REBUILD_MIN_MS;
    expect(routes.nextHop(id('d'))).toBe(id('b'));
    expect(state.searches).toBe(2);
    state.now += REBUILD_MAX_MS - 1;
    routes.nextHop(id('d'));
    expect(state.searches).toBe(2);
    state.now += 1;
    routes.nextHop(id('d'));
    expect(state.searches).toBe(3);
  });
});
