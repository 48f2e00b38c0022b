/**
 * A screen in front of GUN for the rooms' node records, run on every message a GUN instance hears
 * (a reader's, and the relay's before it stores anything).
 *
 * Why: GUN keeps in memory, and a relay on disk, every node and link it is sent, and `map()` makes a
 * chain for every child. 10,000 junk records in a room cost a reader ~30 MB and the relay most of a
 * core for a minute (measured, bench/hostile.ts) before our record table could refuse any of them.
 * Refused here, junk never enters GUN's graph. What passes is only what costs no cryptography to
 * judge (fields, ID shapes, list bounds, not dated ahead, filed under its own ID); signatures are
 * still checked by the record table, which stays the authority.
 *
 * Layout (docs/protocol.md, Rendezvous mesh): a room's records are the children of the soul
 * `meshdeck/v1/<room>/nodes`, a link per node ID. GUN files a child at `<parent>/<nodeId>` when the
 * writer's chain was resolved, and under a random soul when it was not (a writer that put before the
 * relay answered), so the screen also learns the souls the parents link to. GUN sends a write as a
 * graph of souls: the parent and the children, in one message or several.
 */
import { NODE_ID_PATTERN } from '../identity/identity';
import { isRecord } from '../control/protocol';
import { isRecordChunk, readRecordFields, RECORD_AHEAD_MS, RECORD_STALE_MS, recordBoundsProblem, type NodeRecord } from './rendezvous-record';

const ROOM_NODES_SOUL = /^meshdeck\/v1\/[^/]+\/nodes$/;
/** Souls linked from a room's parent, remembered to screen a child that comes in a later message. */
const LINKED_SOULS_KEPT = 4096;
/**
 * Links of a room's parent let through in one message, the most recently written first. GUN fetches
 * the child of every link it holds (`map()`), each fetch a round trip the relay answers in order: a
 * parent of 10,000 junk links (a stock relay keeps whatever it is sent) made the node ask 42,000
 * times, and a newcomer's record waited behind them for 45 s (measured, issue 22). A room's honest
 * nodes rewrite their link every announce, so the newest few hundred are the live ones.
 */
export const LINKS_PER_MESSAGE = 256;

export interface ScreenResult {
  /** The records refused (children dropped from the graph), as they came. */
  refused: unknown[];
  /** Whether anything is left to pass on. */
  empty: boolean;
}

export class RoomGraphScreen {
  /** Child soul → the node ID its parent files it under; oldest first. */
  private readonly linked = new Map<string, string>();

  /**
   * @param alsoRequire a further check on a record (a relay in Node can afford to check that the IDs
   *   derive from the keys; a browser has no synchronous hash).
   */
  constructor(private readonly alsoRequire: (record: NodeRecord) => boolean = () => true) {}

  /**
   * Removes from a GUN message's `put` graph, in place, every room record that is not a whole,
   * well-formed record filed under its own ID, and the parent's links to them. Partial writes to a
   * record are refused too: honest nodes always write whole records, and a partial write is how a
   * writer corrupts another's copy in the relay. An answer for a soul this instance is reading
   * (`chunkedAnswer`, the souls of an answer message) may carry a record in chunks (a relay's disk
   * answers so): a chunk of record fields passes, and the record is judged once whole.
   */
  screen(graph: Record<string, unknown>, now: number, chunkedAnswer: (soul: string) => boolean = () => false): ScreenResult {
    for (const soul of Object.keys(graph)) if (ROOM_NODES_SOUL.test(soul)) this.learnLinks(soul, graph[soul]);
    const refused: unknown[] = [];
    const refusedSouls = new Set<string>();
    for (const soul of Object.keys(graph)) {
      const key = this.keyOf(soul);
      if (key === null) continue;
      const record = readRecordFields(graph[soul]);
      if (record && record.id === key && recordBoundsProblem(record, now) === null && this.alsoRequire(record)) continue;
      if (!record && chunkedAnswer(soul) && isRecordChunk(graph[soul])) continue;
      refused.push(graph[soul]);
      delete graph[soul];
      refusedSouls.add(soul);
    }
    for (const soul of Object.keys(graph)) {
      if (ROOM_NODES_SOUL.test(soul) && !this.keepLinks(graph[soul], refusedSouls, now)) delete graph[soul];
    }
    return { refused, empty: Object.keys(graph).length === 0 };
  }

  /**
   * The node ID a soul holds the record of, or null if it is not a room record's soul. A soul of the
   * form `<parent>/<id>` is that ID's, whatever any link says: otherwise one forged link naming a
   * node's own soul under another key made every later record of that node "filed under another ID".
   */
  private keyOf(soul: string): string | null {
    return ownSoulKey(soul) ?? this.linked.get(soul) ?? null;
  }

  private learnLinks(parentSoul: string, node: unknown): void {
    if (!isRecord(node)) return;
    for (const key of Object.keys(node)) {
      const target = linkTarget(node[key]);
      // A node's own soul is known by its path: only a random soul (a writer's unresolved chain) is learnt.
      if (key === '_' || target === null || ownSoulKey(target) !== null) continue;
      this.linked.delete(target);
      this.linked.set(target, key);
      if (this.linked.size > LINKED_SOULS_KEPT) this.linked.delete(this.linked.keys().next().value!);
    }
  }

  /**
   * Drops a parent's links that cannot name a record, point at a refused one or at another node's
   * own soul, or were last written longer ago than a record stays fresh or further ahead than a record
   * may be dated; then keeps only the LINKS_PER_MESSAGE most recently written. False if none is left.
   */
  private keepLinks(node: unknown, refusedSouls: Set<string>, now: number): boolean {
    if (!isPlainObject(node)) return false;
    const states = isRecord(node._) && isPlainObject(node._['>']) ? node._['>'] : null;
    const stateOf = (key: string): number => (typeof states?.[key] === 'number' ? (states[key] as number) : -Infinity);
    const kept: string[] = [];
    for (const key of Object.keys(node)) {
      if (key === '_') continue;
      const target = linkTarget(node[key]);
      const live = states === null || (now - stateOf(key) <= RECORD_STALE_MS && stateOf(key) - now <= RECORD_AHEAD_MS);
      if (NODE_ID_PATTERN.test(key) && target !== null && live && !refusedSouls.has(target) && !namesAnother(target, key)) kept.push(key);
      else dropLink(node, states, key);
    }
    if (kept.length > LINKS_PER_MESSAGE) {
      kept.sort((a, b) => stateOf(b) - stateOf(a));
      for (const key of kept.splice(LINKS_PER_MESSAGE)) dropLink(node, states, key);
    }
    return kept.length > 0;
  }
}

/** The node ID whose own soul (`<room parent>/<id>`) `soul` is, or null. */
function ownSoulKey(soul: string): string | null {
  const cut = soul.lastIndexOf('/');
  return cut > 0 && ROOM_NODES_SOUL.test(soul.slice(0, cut)) ? soul.slice(cut + 1) : null;
}

/** Whether a link under `key` points at another node's own soul. */
function namesAnother(target: string, key: string): boolean {
  const owner = ownSoulKey(target);
  return owner !== null && owner !== key;
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
