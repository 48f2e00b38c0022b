/**
 * The room's graph as its rendezvous records tell it (issue 14): for each node, the ready neighbour
 * first on a shortest known path to it (hop count, breadth first), so a unicast route is forwarded
 * one way instead of to every neighbour (docs/protocol.md "Mesh routing").
 *
 * - An edge counts only when both of its ends list it in their records, or when this node holds it
 *   itself (its ready neighbours). A forged or stale record that claims a link to a node cannot pull
 *   traffic through that node unless it lists the link back.
 * - A hop (any node on the path but this one and the destination) has a record that announces routing
 *   on and is not blocked: a node that would not forward, or that this node refuses, is never asked to.
 * - Paths are at most MAX_TTL hops, as far as a route can travel. One search from this node answers
 *   every destination; RouteCache repeats it only when its input changed, so the work per message is a
 *   map lookup and the work per search is bounded by the record table's bound (2,048 records of at most
 *   64 neighbours).
 */
import { MAX_TTL } from './mesh-router';

/** What the graph reads of one verified, fresh record. */
export interface GraphRecord {
  id: string;
  /** The node IDs it announces as its ready neighbours. */
  neighbors: readonly string[];
  /** Whether it announces mesh routing on. */
  routing: boolean;
}

export interface RouteGraphInput {
  /** This node's ID. */
  self: string;
  /** This node's ready neighbours: edges it holds itself, trusted without a record. */
  neighbours: readonly string[];
  /** The room's fresh, verified records (this node's own is not among them). */
  records: Iterable<GraphRecord>;
  /** Blocked nodes (by node or user ID) are never hops. */
  isBlocked(nodeId: string): boolean;
}

/** The result of one search from this node. */
interface RouteTree {
  /** The ready neighbour first on a shortest known path to `destination`, or null if none is known. */
  nextHop(destination: string): string | null;
  /** A shortest known path from this node to `destination`, both ends included, or null. */
  path(destination: string): string[] | null;
  /** Nodes reachable, this node excluded. */
  readonly size: number;
}

/** Breadth-first search from `input.self` over the edges both ends announce. */
export function shortestPaths(input: RouteGraphInput): RouteTree {
  const { self } = input;
  const records = new Map<string, { neighbors: Set<string>; routing: boolean }>();
  for (const record of input.records) {
    if (record.id !== self) records.set(record.id, { neighbors: new Set(record.neighbors), routing: record.routing });
  }
  /** Each reached node's predecessor on its path and its first hop. */
  const parent = new Map<string, string>();
  const first = new Map<string, string>();
  let frontier: string[] = [];
  for (const id of input.neighbours) {
    if (id === self || first.has(id)) continue;
    parent.set(id, self);
    first.set(id, id);
    frontier.push(id);
  }
  const isHop = (id: string): boolean => {
    const known = records.get(id);
    return !!known && known.routing && !input.isBlocked(id);
  };
  // A node at depth d is reached with d hops; only nodes below MAX_TTL may lead further.
  for (let depth = 1; depth < MAX_TTL && frontier.length; depth++) {
    const next: string[] = [];
    for (const u of frontier) {
      if (!isHop(u)) continue;
      for (const v of records.get(u)!.neighbors) {
        if (v === self || first.has(v)) continue;
        // Only an edge v lists back: u's word alone is not enough.
        if (!records.get(v)?.neighbors.has(u)) continue;
        parent.set(v, u);
        first.set(v, first.get(u)!);
        next.push(v);
      }
    }
    frontier = next;
  }
  return {
    size: first.size,
    nextHop: (destination) => first.get(destination) ?? null,
    path: (destination) => {
      if (!first.has(destination)) return null;
      const path = [destination];
      for (let at = parent.get(destination)!; at !== self; at = parent.get(at)!) path.push(at);
      path.push(self);
      return path.reverse();
    },
  };
}

/** A shortest known path from this node to `destination` (both ends included), or null. */
export function shortestPath(input: RouteGraphInput, destination: string): string[] | null {
  return shortestPaths(input).path(destination);
}

/**
 * Records change often in a large room (each node writes every 15 s: ~33 a second at 500 nodes), so
 * a search is repeated for them at most every REBUILD_MIN_MS; a change of this node's own neighbours
 * or block list is taken at once. Records also go stale with time alone: a search older than
 * REBUILD_MAX_MS is repeated whatever changed.
 */
export const REBUILD_MIN_MS = 250;
export const REBUILD_MAX_MS = 5000;

interface RouteCacheDeps {
  /** Monotonic ms. */
  now(): number;
  /** Changes whenever the record table changes (RecordTable.revision). */
  revision(): number;
  /** Everything else the search depends on (ready neighbours, block list), compared item by item with Object.is. */
  context(): readonly unknown[];
  /** The search's input, read only when a search runs. */
  input(): RouteGraphInput;
}

/** The latest RouteTree, searched again only when its input changed (see REBUILD_MIN_MS). */
export class RouteCache {
  private tree: RouteTree | null = null;
  private builtAt = 0;
  private builtRevision = 0;
  private builtContext: readonly unknown[] = [];

  constructor(private readonly deps: RouteCacheDeps) {}

  /** The ready neighbour first on a shortest known path to `destination`, or null. Called per unicast route. */
  nextHop(destination: string): string | null {
    return this.current().nextHop(destination);
  }

  /** A shortest known path to `destination`, both ends included, or null. */
  path(destination: string): string[] | null {
    return this.current().path(destination);
  }

  private current(): RouteTree {
    const now = this.deps.now();
    const revision = this.deps.revision();
    const context = this.deps.context();
    const age = now - this.builtAt;
    const fresh =
      this.tree !== null &&
      age < REBUILD_MAX_MS &&
      (revision === this.builtRevision || age < REBUILD_MIN_MS) &&
      context.length === this.builtContext.length &&
      context.every((item, i) => Object.is(item, this.builtContext[i]));
    if (fresh) return this.tree!;
    this.tree = shortestPaths(this.deps.input());
    this.builtAt = now;
    this.builtRevision = revision;
    this.builtContext = context;
    return this.tree;
  }
}
