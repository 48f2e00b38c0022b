/**
 * A screen in front of GUN for every soul a node reads (graph-families.ts), run on every message a GUN
 * instance hears: a reader's, and the relay's before it stores anything.
 *
 * Why: GUN keeps in memory, and a relay on disk, every node and link it is sent, and `map()` makes a
 * chain for every child. 10,000 junk records in a room cost a reader ~30 MB and the relay most of a
 * core for a minute (measured, bench/hostile.ts) before our record table could refuse any of them;
 * the rooms' file lists, box keys, signal slots and shared lists took junk just as well (issue 23).
 * Refused here, junk never enters GUN's graph. What passes is only what costs no cryptography to
 * judge (fields, sizes, nothing dated ahead, filed under its writer's ID); signatures are still
 * checked by each family's reader, which stays the authority.
 *
 * Layout (docs/protocol.md): every soul has one canonical name. A family's parent links each writer's
 * node ID to the child at `<parent>/<id>`, and the souls above the parents (`meshdeck/v1`, a room,
 * `…/signals`, `meshdeck/v1/shared`) link each key to `<soul>/<key>`: what GUN makes of a writer's
 * `gun.get(parent).get(id).put(…)` or of a chain from `meshdeck/v1` down. A link anywhere else is
 * refused: one write to an ancestor that linked a room to another soul once moved every node that
 * followed the chain to a room of the attacker's choosing. Nodes address parents by their soul and
 * follow no link, so this is for other readers, and to keep junk off the relays. Any other soul is
 * refused whole: GUN keeps every soul a message carries, asked for or not.
 */
import { NODE_ID_PATTERN } from '../identity/identity';
import { isRecord } from '../lib/is-record';
import { DATED_AHEAD_MS, isChunkOf, type ChildFamily, type FamilyName } from './graph-families';

/**
 * Links of a parent let through in one message, the most recently written first. GUN fetches the child
 * of every link it holds (`map()`), each fetch a round trip the relay answers in order: a parent of
 * 10,000 junk links (a stock relay keeps whatever it is sent) made the node ask 42,000 times, and a
 * newcomer's record waited behind them for 45 s (measured, issue 22). Honest writers rewrite their
 * link with each write, so the newest few hundred are the live ones.
 */
export const LINKS_PER_MESSAGE = 256;
/** Keys of the souls above the parents, whatever they link to: rooms, a room's slots, signal slots, channels. */
const ANCESTORS: readonly RegExp[] = [/^meshdeck\/v1$/, /^meshdeck\/v1\/[^/]+$/, /^meshdeck\/v1\/[^/]+\/signals$/];

interface ScreenResult {
  /** The children refused (dropped from the graph), as they came, with their soul and family. */
  refused: RefusedChild[];
  /** Whether anything is left to pass on. */
  empty: boolean;
}

export interface RefusedChild {
  soul: string;
  /** The family of a refused child; null for a soul that is no Meshdeck soul at all. */
  family: FamilyName | null;
  child: unknown;
}

export interface ScreenOptions {
  /**
   * A node's: whether it reads or writes `soul` now (a parent it watches or writes under, a child it
   * fetches, watches or wrote, an ancestor it links). Any other soul is dropped unread, and not counted
   * as refused: a relay forwards every put to every client. A relay reads nothing and gives none.
   */
  reading?: (soul: string) => boolean;
  /**
   * A node's: whether a chunk of a child at `soul` may come in now (a child being fetched, watched or
   * read by a slot read, or written): far fewer souls than `reading`, each of which GUN keeps in full.
   */
  chunks?: (soul: string) => boolean;
}

/** Where a child soul belongs: its family, its parent and the key it is filed under there. */
interface Placement {
  family: ChildFamily;
  parent: string;
  key: string;
}

export class GraphScreen {
  constructor(private readonly families: readonly ChildFamily[]) {}

  /**
   * Removes from a GUN message's `put` graph, in place, every child that is not whole, well-formed and
   * at its writer's canonical soul, every link that does not point at its key's canonical soul, and
   * every soul that is none of these. A relay refuses partial writes: honest nodes always write whole
   * children, and a partial write is how a writer corrupts another's copy in the relay. A node takes a
   * chunk of the family's fields for a soul it fetches or watches now (`chunks`; for another soul it
   * reads, the chunk is set aside and its link kept): a relay answers a read in chunks of 9 fields, and
   * a stock relay passes a write on in such chunks too. Refused, such a chunk took its link with it, and
   * the reader missed a fifth of a slot's rewrites through a stock relay (measured, issue 23). The reader
   * takes a child only once it is whole and of one write (child-reader.ts); a forged chunk can do no
   * more there than a forged whole child, which passes this screen too: signatures are the reader's.
   */
  screen(graph: Record<string, unknown>, now: number, { reading, chunks }: ScreenOptions = {}): ScreenResult {
    const takesChunk = (soul: string): boolean => chunks?.(soul) ?? false;
    const refused: RefusedChild[] = [];
    const refuse = (soul: string, family: FamilyName | null): void => {
      refused.push({ soul, family, child: graph[soul] });
      delete graph[soul];
    };
    const links: [soul: string, freshMs: number, nodeIds: boolean][] = [];
    for (const soul of Object.keys(graph)) {
      const node = graph[soul];
      // A node's GUN keeps every soul a message carries, asked for or not: only what it reads or writes gets in.
      if (reading && !reading(soul)) {
        delete graph[soul];
        continue;
      }
      const family = this.parentFamily(soul);
      if (family) links.push([soul, family.freshMs, true]);
      else if (ANCESTORS.some((pattern) => pattern.test(soul))) links.push([soul, Infinity, false]);
      else {
        const placement = ownPlacement(soul, this.families);
        if (placement === null) refuse(soul, null);
        else if (!isRecord(node) || statesAhead(node, now)) refuse(soul, placement.family.name);
        else if (placement.family.accepts(node, placement.key, placement.parent, now)) continue;
        else if (!(reading && isChunkOf(placement.family, node))) refuse(soul, placement.family.name);
        // A chunk of a child read but not being fetched now is set aside, its link kept: the reader
        // fetches the child whole on that link, and chunks come in only then.
        else if (!takesChunk(soul)) delete graph[soul];
      }
    }
    // Then the links, so that none is left pointing at a child refused in this message.
    const refusedSouls = new Set(refused.map((r) => r.soul));
    for (const [soul, freshMs, nodeIds] of links) {
      if (!keepLinks(soul, graph[soul], now, freshMs, nodeIds, refusedSouls)) delete graph[soul];
    }
    return { refused, empty: Object.keys(graph).length === 0 };
  }

  private parentFamily(soul: string): ChildFamily | null {
    return this.families.find((family) => family.isParent(soul)) ?? null;
  }
}

/** Where `soul` is a child by its path (`<parent>/<key>`), or null. */
function ownPlacement(soul: string, families: readonly ChildFamily[]): Placement | null {
  const cut = soul.lastIndexOf('/');
  if (cut <= 0) return null;
  const parent = soul.slice(0, cut);
  const family = families.find((f) => f.isParent(parent));
  return family ? { family, parent, key: soul.slice(cut + 1) } : null;
}

/** Whether GUN's state of any field of `node` (the writer's clock, by which GUN settles conflicts) is ahead of `now`. */
function statesAhead(node: Record<string, unknown>, now: number): boolean {
  const states = isRecord(node._) && isRecord(node._['>']) ? node._['>'] : {};
  return Object.values(states).some((state) => typeof state !== 'number' || state - now > DATED_AHEAD_MS);
}

/**
 * Drops the links of `soul` that do not point at their key's canonical soul (`<soul>/<key>`), point at
 * a child refused in the same message, or were last written longer ago than `freshMs` or further ahead than anything may be dated, and every
 * value that is not a link; a parent's (`nodeIds`) also under keys that are not node IDs, and past the
 * LINKS_PER_MESSAGE most recently written. False if nothing is left.
 */
function keepLinks(soul: string, node: unknown, now: number, freshMs: number, nodeIds: boolean, refusedSouls: ReadonlySet<string>): boolean {
  if (!isPlainObject(node)) return false;
  const states = isRecord(node._) && isPlainObject(node._['>']) ? node._['>'] : null;
  const stateOf = (key: string): number => (typeof states?.[key] === 'number' ? (states[key] as number) : -Infinity);
  const kept: string[] = [];
  for (const key of Object.keys(node)) {
    if (key === '_') continue;
    const live = now - stateOf(key) <= freshMs && stateOf(key) - now <= DATED_AHEAD_MS;
    const target = linkTarget(node[key]);
    if (live && target === `${soul}/${key}` && !refusedSouls.has(target) && (!nodeIds || NODE_ID_PATTERN.test(key))) kept.push(key);
    else dropLink(node, states, key);
  }
  if (nodeIds && kept.length > LINKS_PER_MESSAGE) {
    kept.sort((a, b) => stateOf(b) - stateOf(a));
    for (const key of kept.splice(LINKS_PER_MESSAGE)) dropLink(node, states, key);
  }
  return kept.length > 0;
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
