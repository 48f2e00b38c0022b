/**
 * A screen in front of GUN for every soul a node reads (graph-families.ts), run on every message a GUN
 * instance hears: a reader's, and the relay's before it stores anything.
 *
 * Why: GUN keeps in memory, and a relay on disk, every node and link it is sent, and `map()` makes a
 * chain for every child. 10,000 junk records in a room cost a reader ~30 MB and the relay most of a
 * core for a minute (measured, bench/hostile.ts) before our record table could refuse any of them;
 * the rooms' file lists, box keys, signal slots and shared lists took junk just as well (issue 23).
 * Refused here, junk never enters GUN's graph. What passes is only what costs no cryptography to
 * judge (fields, sizes, not dated ahead, filed under its writer's ID); signatures are still checked
 * by each family's reader, which stays the authority.
 *
 * Layout: a family's children are linked from its parent soul, one link per writer's node ID. GUN files
 * a child at `<parent>/<key>` when the writer's chain was resolved, and under a random soul when it was
 * not (a writer that put before the relay answered), so the screen also learns the souls the parents
 * link to. GUN sends a write as a graph of souls: the parent and the children, in one message or several.
 */
import { NODE_ID_PATTERN } from '../identity/identity';
import { isRecord } from '../control/protocol';
import { DATED_AHEAD_MS, isChunkOf, type ChildFamily, type FamilyName } from './graph-families';

/** Souls linked from a parent, remembered to screen a child that comes in a later message. */
const LINKED_SOULS_KEPT = 4096;
/**
 * Links of a parent let through in one message, the most recently written first. GUN fetches the child
 * of every link it holds (`map()`), each fetch a round trip the relay answers in order: a parent of
 * 10,000 junk links (a stock relay keeps whatever it is sent) made the node ask 42,000 times, and a
 * newcomer's record waited behind them for 45 s (measured, issue 22). Honest writers rewrite their
 * link with each write, so the newest few hundred are the live ones.
 */
export const LINKS_PER_MESSAGE = 256;

export interface ScreenResult {
  /** The children refused (dropped from the graph), as they came, with their soul and family. */
  refused: RefusedChild[];
  /** Whether anything is left to pass on. */
  empty: boolean;
}

export interface RefusedChild {
  soul: string;
  family: FamilyName;
  child: unknown;
}

/** Where a child soul belongs: its family, its parent and the key it is filed under there. */
interface Placement {
  family: ChildFamily;
  parent: string;
  key: string;
}

export class GraphScreen {
  /** Child soul → where its parent files it; oldest first. */
  private readonly linked = new Map<string, Placement>();

  constructor(private readonly families: readonly ChildFamily[]) {}

  /**
   * Removes from a GUN message's `put` graph, in place, every child that is not whole, well-formed and
   * filed under its writer's ID, and the parents' links to them. Partial writes are refused too: honest
   * nodes always write whole children, and a partial write is how a writer corrupts another's copy in
   * the relay. An answer for a soul this instance is reading (`chunkedAnswer`, the souls of an answer
   * message) may come in chunks (a relay's disk answers so): a chunk of the family's fields passes, and
   * the child is judged once whole.
   */
  screen(graph: Record<string, unknown>, now: number, chunkedAnswer: (soul: string) => boolean = () => false): ScreenResult {
    for (const soul of Object.keys(graph)) {
      const family = this.parentFamily(soul);
      if (family) this.learnLinks(family, soul, graph[soul]);
    }
    const refused: RefusedChild[] = [];
    const refusedSouls = new Set<string>();
    for (const soul of Object.keys(graph)) {
      const placement = this.placementOf(soul);
      if (placement === null) continue;
      const child = graph[soul];
      if (isRecord(child) && placement.family.accepts(child, placement.key, placement.parent, now)) continue;
      if (chunkedAnswer(soul) && isChunkOf(placement.family, child)) continue;
      refused.push({ soul, family: placement.family.name, child });
      delete graph[soul];
      refusedSouls.add(soul);
    }
    for (const soul of Object.keys(graph)) {
      const family = this.parentFamily(soul);
      if (family && !keepLinks(family, soul, graph[soul], refusedSouls, now, this.families)) delete graph[soul];
    }
    return { refused, empty: Object.keys(graph).length === 0 };
  }

  private parentFamily(soul: string): ChildFamily | null {
    return this.families.find((family) => family.isParent(soul)) ?? null;
  }

  /**
   * Where a soul is a child, or null if it is none of a family's. A soul of the form `<parent>/<key>` is
   * that key's, whatever any link says: otherwise one forged link naming a node's own soul under
   * another key made every later write of that node "filed under another ID".
   */
  private placementOf(soul: string): Placement | null {
    return ownPlacement(soul, this.families) ?? this.linked.get(soul) ?? null;
  }

  private learnLinks(family: ChildFamily, parent: string, node: unknown): void {
    if (!isRecord(node)) return;
    for (const key of Object.keys(node)) {
      const target = linkTarget(node[key]);
      // A child's own soul is known by its path: only a random soul (a writer's unresolved chain) is learnt.
      if (key === '_' || target === null || ownPlacement(target, this.families) !== null) continue;
      this.linked.delete(target);
      this.linked.set(target, { family, parent, key });
      if (this.linked.size > LINKED_SOULS_KEPT) this.linked.delete(this.linked.keys().next().value!);
    }
  }
}

/** Where `soul` is a child by its own path (`<parent>/<key>`), or null. */
function ownPlacement(soul: string, families: readonly ChildFamily[]): Placement | null {
  const cut = soul.lastIndexOf('/');
  if (cut <= 0) return null;
  const parent = soul.slice(0, cut);
  const family = families.find((f) => f.isParent(parent));
  return family ? { family, parent, key: soul.slice(cut + 1) } : null;
}

/**
 * Drops a parent's links that cannot name a child, point at a refused one or at another child's own
 * soul, or were last written longer ago than its family's children stay fresh or further ahead than
 * anything may be dated; then keeps only the LINKS_PER_MESSAGE most recently written. False if none is left.
 */
function keepLinks(family: ChildFamily, parent: string, node: unknown, refusedSouls: Set<string>, now: number, families: readonly ChildFamily[]): boolean {
  if (!isPlainObject(node)) return false;
  const states = isRecord(node._) && isPlainObject(node._['>']) ? node._['>'] : null;
  const stateOf = (key: string): number => (typeof states?.[key] === 'number' ? (states[key] as number) : -Infinity);
  const kept: string[] = [];
  for (const key of Object.keys(node)) {
    if (key === '_') continue;
    const target = linkTarget(node[key]);
    const live = states === null || (now - stateOf(key) <= family.freshMs && stateOf(key) - now <= DATED_AHEAD_MS);
    if (NODE_ID_PATTERN.test(key) && target !== null && live && !refusedSouls.has(target) && !namesAnother(target, `${parent}/${key}`, families)) kept.push(key);
    else dropLink(node, states, key);
  }
  if (kept.length > LINKS_PER_MESSAGE) {
    kept.sort((a, b) => stateOf(b) - stateOf(a));
    for (const key of kept.splice(LINKS_PER_MESSAGE)) dropLink(node, states, key);
  }
  return kept.length > 0;
}

/** Whether a link whose own soul is `own` points at another child's own soul (of any family). */
function namesAnother(target: string, own: string, families: readonly ChildFamily[]): boolean {
  return target !== own && ownPlacement(target, families) !== null;
}

function dropLink(node: Record<string, unknown>, states: Record<string, unknown> | null, key: string): void {
  delete node[key];
  if (states) delete states[key];
}

/** What JSON makes of an object: nothing else (a typed array, a frozen object) can be trimmed in place. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value) || Object.isFrozen(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The soul a GUN link value points at, or null if the value is not a link. */
function linkTarget(value: unknown): string | null {
  return isRecord(value) && typeof value['#'] === 'string' && Object.keys(value).length === 1 ? value['#'] : null;
}
