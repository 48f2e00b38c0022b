/**
 * GraphScreen on GUN `put` graphs as a relay sends them (souls, links, `_` metadata): junk never
 * reaches GUN's graph, whole well-formed records and the parent's links to them pass untouched.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphScreen, LINKS_PER_MESSAGE } from '../../../../core/discovery/graph-screen';
import { allFamilies, BOX_FRESH_MS, FILE_LIST_FRESH_MS, MAX_FILE_LIST_CHARS, MAX_SIGNAL_CHARS, SIGNAL_FRESH_MS } from '../../../../core/discovery/graph-families';
import { RECORD_AHEAD_MS, RECORD_STALE_MS, signRecord, type NodeRecord } from '../../../../core/discovery/rendezvous-record';
import type { Identity } from '../../../../core/identity/identity';
import { makeIdentity } from '../../../support/identities';

const T = Date.UTC(2026, 0, 1);
const PARENT = 'meshdeck/v1/default/nodes';
/** A GUN node with its metadata, each key written at `at` (the writer's clock). */
const meta = (soul: string, node: Record<string, unknown>, at: number | ((key: string) => number) = T) => ({ _: { '#': soul, '>': Object.fromEntries(Object.keys(node).map((k) => [k, typeof at === 'number' ? at : at(k)])) }, ...node });
const link = (soul: string) => ({ '#': soul });
/** The screen as a node or a relay runs it: every family; `alsoRequire` a further check on records. */
const newScreen = (alsoRequire?: (record: NodeRecord) => boolean) => new GraphScreen(allFamilies(alsoRequire));

/** A writer's put of children under `parent` (the room's records by default): the parent with a link per key, and each child. */
function put(children: Record<string, object>, soulOf = (key: string) => `${PARENT}/${key}`, parent = PARENT): Record<string, unknown> {
  const graph: Record<string, unknown> = {};
  graph[parent] = meta(parent, Object.fromEntries(Object.keys(children).map((key) => [key, link(soulOf(key))])));
  for (const [key, value] of Object.entries(children)) graph[soulOf(key)] = meta(soulOf(key), value as Record<string, unknown>);
  return graph;
}

describe('GraphScreen', () => {
  let peer: Identity;
  let other: Identity;
  let genuine: NodeRecord;
  beforeAll(async () => {
    [peer, other] = (await Promise.all([makeIdentity(), makeIdentity()])).map((made) => made.identity) as [Identity, Identity];
    genuine = await signRecord(peer, { signal: ['http://127.0.0.1:9000/peerjs'], routing: true, neighbors: [] }, T);
  });

  it('passes a whole, well-formed record and its link untouched', () => {
    const graph = put({ [peer.nodeId]: genuine });
    const before = structuredClone(graph);
    expect(newScreen().screen(graph, T)).toMatchObject({ refused: { length: 0 }, empty: false });
    expect(graph).toEqual(before);
  });

  it('refuses junk, partial writes, records filed under another ID and records dated ahead, with their links', () => {
    const junkId = 'n' + 'a'.repeat(26);
    const graph = put({
      [peer.nodeId]: genuine,
      [junkId]: { junk: 1, text: 'not a record' },
      [other.nodeId]: { ...genuine },
      ['n' + 'b'.repeat(26)]: { ts: T + 1 },
      ['n' + 'c'.repeat(26)]: { ...genuine, id: 'n' + 'c'.repeat(26), ts: T + RECORD_AHEAD_MS + 1 },
    });
    const result = newScreen().screen(graph, T);
    expect(result).toMatchObject({ refused: { length: 4 }, empty: false });
    expect(Object.keys(graph).sort()).toEqual([PARENT, `${PARENT}/${peer.nodeId}`]);
    const parent = graph[PARENT] as Record<string, unknown> & { _: { '>': Record<string, number> } };
    expect(Object.keys(parent).filter((k) => k !== '_')).toEqual([peer.nodeId]);
    expect(Object.keys(parent._['>'])).toEqual([peer.nodeId]);
  });

  it('takes a record in chunks in a node fetching or watching it (relays answer and pass writes on in chunks of 9 fields), never in a relay', () => {
    const soul = `${PARENT}/${peer.nodeId}`;
    const chunk = () => ({ [soul]: meta(soul, { id: genuine.id, pub: genuine.pub, ts: genuine.ts }) });
    const reading = (read: string) => ({ reading: (at: string) => at === read, chunks: (at: string) => at === read });
    expect(newScreen().screen(chunk(), T, reading(soul))).toMatchObject({ refused: { length: 0 }, empty: false });
    // A chunk with its link, as a stock relay passes a write on: the link stays (refused, it went with
    // the chunk, and the reader never heard of that write).
    const withLink = { ...put({ [peer.nodeId]: genuine }), ...chunk() };
    const reads = (at: string) => at === soul || at === PARENT;
    expect(newScreen().screen(withLink, T, { reading: reads, chunks: (at) => at === soul })).toMatchObject({ refused: { length: 0 }, empty: false });
    expect(Object.keys(withLink[PARENT] as object)).toContain(peer.nodeId);
    // A soul read but not being fetched now (a link waiting, or read before) takes whole children only
    // (GUN keeps every child it takes, and a chunk lets each field be as long as the family's longest):
    // the chunk is set aside, not refused, and the link beside it stays, so the reader fetches it whole.
    expect(newScreen().screen(chunk(), T, { reading: (at) => at === soul })).toMatchObject({ refused: { length: 0 }, empty: true });
    const asidePush = { ...put({ [peer.nodeId]: genuine }), ...chunk() };
    expect(newScreen().screen(asidePush, T, { reading: reads })).toMatchObject({ refused: { length: 0 }, empty: false });
    expect(Object.keys(asidePush)).toEqual([PARENT]);
    expect(Object.keys(asidePush[PARENT] as object)).toContain(peer.nodeId);
    // A write to a relay must be whole.
    expect(newScreen().screen(chunk(), T)).toMatchObject({ refused: { length: 1 }, empty: true });
    const junk = { [soul]: meta(soul, { id: genuine.id, junk: 'x' }) };
    expect(newScreen().screen(junk, T, reading(soul))).toMatchObject({ refused: { length: 1 }, empty: true });
    // A record with a field of its own choosing is refused whole (one extra field beside a genuine
    // record stayed on a relay for good, since honest writes rewrite only their own fields).
    expect(newScreen().screen({ [soul]: meta(soul, { ...genuine, junk: 'x' }) }, T).refused).toHaveLength(1);
    // Every field there is a whole record, judged whole even in an answer: one dated ahead is refused.
    const ahead = { [soul]: meta(soul, { ...genuine, ts: T + RECORD_AHEAD_MS + 1 }) };
    expect(newScreen().screen(ahead, T, reading(soul))).toMatchObject({ refused: { length: 1 }, empty: true });
  });

  it('lets into a node only what it reads: anything else a relay sends is dropped unread, and not counted', () => {
    const soul = `${PARENT}/${peer.nodeId}`;
    const graph: Record<string, unknown> = {
      [soul]: meta(soul, { ...genuine }),
      [`${PARENT}/${other.nodeId}`]: meta(`${PARENT}/${other.nodeId}`, { ...genuine, id: other.nodeId }),
      'meshdeck/v1/elsewhere/files': meta('meshdeck/v1/elsewhere/files', {}),
    };
    expect(newScreen().screen(graph, T, { reading: (at) => at === soul })).toMatchObject({ refused: [], empty: false });
    expect(Object.keys(graph)).toEqual([soul]);
  });

  // A stock relay keeps and sends back every link it was ever sent: GUN fetches the child of each (issue 22).
  describe('links GUN would chase', () => {
    const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
    const ids = (count: number) => Array.from({ length: count }, (_, i) => 'n' + [...i.toString(32).padStart(26, '0')].map((d) => BASE32[parseInt(d, 32)]).join(''));
    const parentOf = (graph: Record<string, unknown>) => graph[PARENT] as Record<string, unknown>;
    const linksOf = (graph: Record<string, unknown>) => Object.keys(parentOf(graph) ?? {}).filter((k) => k !== '_');

    it('drops a link last written longer ago than a record stays fresh', () => {
      const [fresh, old] = ids(2) as [string, string];
      const graph = { [PARENT]: meta(PARENT, { [fresh]: link(`${PARENT}/${fresh}`), [old]: link(`${PARENT}/${old}`) }, (key) => (key === old ? T - RECORD_STALE_MS - 1 : T)) };
      newScreen().screen(graph, T);
      expect(linksOf(graph)).toEqual([fresh]);
    });

    it(`lets through at most ${LINKS_PER_MESSAGE} links of one message, the most recently written`, () => {
      const keys = ids(LINKS_PER_MESSAGE + 50);
      const writtenAt = (key: string) => T - keys.indexOf(key);
      const graph = { [PARENT]: meta(PARENT, Object.fromEntries(keys.map((key) => [key, link(`${PARENT}/${key}`)])), writtenAt) };
      newScreen().screen(graph, T);
      expect(linksOf(graph).sort()).toEqual(keys.slice(0, LINKS_PER_MESSAGE).sort());
      const states = (parentOf(graph)._ as { '>': Record<string, number> })['>'];
      expect(Object.keys(states).sort()).toEqual(keys.slice(0, LINKS_PER_MESSAGE).sort());
    });

    it('a forged link naming another node\'s own soul is dropped, and never hides that node\'s records', () => {
      const screen = newScreen();
      const sybil = ids(1)[0]!;
      const forged = { [PARENT]: meta(PARENT, { [sybil]: link(`${PARENT}/${peer.nodeId}`) }) };
      expect(screen.screen(forged, T)).toMatchObject({ empty: true });
      const announce = put({ [peer.nodeId]: genuine });
      expect(screen.screen(announce, T)).toMatchObject({ refused: { length: 0 }, empty: false });
      expect(linksOf(announce)).toEqual([peer.nodeId]);
    });

    it('drops a link dated further ahead than a record may be', () => {
      const [ahead] = ids(1) as [string];
      const graph = { [PARENT]: meta(PARENT, { [ahead]: link(`${PARENT}/${ahead}`), [peer.nodeId]: link(`${PARENT}/${peer.nodeId}`) }, (key) => (key === ahead ? T + RECORD_AHEAD_MS + 1 : T)) };
      newScreen().screen(graph, T);
      expect(linksOf(graph)).toEqual([peer.nodeId]);
    });
  });

  it('drops parent links that cannot name a record, and a message left with nothing', () => {
    const graph: Record<string, unknown> = { [PARENT]: meta(PARENT, { 'not-an-id': link(`${PARENT}/not-an-id`), [peer.nodeId]: 'plain text' }) };
    expect(newScreen().screen(graph, T)).toMatchObject({ refused: { length: 0 }, empty: true });
  });

  it('takes a child only at its canonical soul, and a parent\'s link only to it', () => {
    const screen = newScreen();
    const random = 'kq3x9ZrandomSoul';
    const parentOnly = { [PARENT]: meta(PARENT, { [other.nodeId]: link(random) }) };
    expect(screen.screen(parentOnly, T)).toMatchObject({ empty: true });
    const child: Record<string, unknown> = { [random]: meta(random, { ...genuine, id: other.nodeId }) };
    expect(screen.screen(child, T)).toMatchObject({ refused: [{ soul: random, family: null }], empty: true });
  });

  it('refuses souls outside Meshdeck\'s layout, and any link above the parents that leads elsewhere (one write once moved a room)', () => {
    const elsewhere: Record<string, unknown> = { elsewhere: meta('elsewhere', { x: 1 }) };
    expect(newScreen().screen(elsewhere, T)).toMatchObject({ refused: [{ soul: 'elsewhere', family: null }], empty: true });
    const canonical: Record<string, unknown> = {
      'meshdeck/v1': meta('meshdeck/v1', { default: link('meshdeck/v1/default') }),
      'meshdeck/v1/default': meta('meshdeck/v1/default', { nodes: link(PARENT), files: link('meshdeck/v1/default/files') }),
    };
    const before = structuredClone(canonical);
    expect(newScreen().screen(canonical, T)).toMatchObject({ refused: [], empty: false });
    expect(canonical).toEqual(before);
    const moved: Record<string, unknown> = {
      'meshdeck/v1': meta('meshdeck/v1', { default: link('evilroom') }),
      'meshdeck/v1/default': meta('meshdeck/v1/default', { nodes: link('evilnodes'), note: 'text' }),
      evilroom: meta('evilroom', { nodes: link('evilnodes') }),
    };
    expect(newScreen().screen(moved, T)).toMatchObject({ empty: true });
  });

  it('refuses a child whose fields GUN would date ahead (its state settles conflicts, and waits in a timer until then)', () => {
    const soul = `${PARENT}/${peer.nodeId}`;
    const graph: Record<string, unknown> = { [soul]: meta(soul, { ...genuine }, T + RECORD_AHEAD_MS + 1) };
    expect(newScreen().screen(graph, T)).toMatchObject({ refused: { length: 1 }, empty: true });
  });

  it('applies a further check when given one', () => {
    const graph = put({ [peer.nodeId]: genuine });
    expect(newScreen(() => false).screen(graph, T)).toMatchObject({ refused: { length: 1 }, empty: true });
  });
  // Issue 23: the room's file lists, box keys, signal slots and the shared channels took any junk.
  describe('every family a node reads', () => {
    const ROOM = 'meshdeck/v1/default';
    const sig = 's'.repeat(86);
    const under = (parent: string) => (key: string) => `${parent}/${key}`;
    const screenChildren = (parent: string, children: Record<string, object>) => {
      const graph = put(children, under(parent), parent);
      const result = newScreen().screen(graph, T);
      return { refused: result.refused.length, kept: Object.keys(graph).filter((soul) => soul !== parent).map((soul) => soul.slice(parent.length + 1)).sort() };
    };
    const junk = 'n' + 'j'.repeat(26);

    it('files: a list whole, filed under its writer, fresh and not oversized', () => {
      const parent = `${ROOM}/files`;
      const list = (id: string, extra: Record<string, unknown> = {}) => ({ id, list: '[]', ts: T, sig, ...extra });
      expect(screenChildren(parent, {
        [peer.nodeId]: list(peer.nodeId),
        [other.nodeId]: list(peer.nodeId),
        [junk]: { junk: 1 },
        ['n' + 'a'.repeat(26)]: list('n' + 'a'.repeat(26), { ts: T - FILE_LIST_FRESH_MS - 1 }),
        ['n' + 'b'.repeat(26)]: list('n' + 'b'.repeat(26), { list: 'x'.repeat(MAX_FILE_LIST_CHARS + 1) }),
        ['n' + 'c'.repeat(26)]: list('n' + 'c'.repeat(26), { more: 'field' }),
      })).toEqual({ refused: 5, kept: [peer.nodeId] });
    });

    it('boxes: a box key whole, filed under its owner, not stale', () => {
      const parent = `${ROOM}/boxes`;
      const box = (id: string, ts = T) => ({ id, box: 'k'.repeat(87), ts, sig });
      expect(screenChildren(parent, { [peer.nodeId]: box(peer.nodeId), [other.nodeId]: box(other.nodeId, T - BOX_FRESH_MS - 1), [junk]: box(peer.nodeId) })).toEqual({ refused: 2, kept: [peer.nodeId] });
    });

    it('signals: from the key it is filed under, to the slot it is in, fresh and bounded', () => {
      const parent = `${ROOM}/signals/${peer.nodeId}`;
      const signal = (from: string, to: string, extra: Record<string, unknown> = {}) => ({ from, to, ts: T, epk: 'e'.repeat(87), iv: 'i'.repeat(16), ct: 'c'.repeat(2000), sig, ...extra });
      expect(screenChildren(parent, {
        [other.nodeId]: signal(other.nodeId, peer.nodeId),
        ['n' + 'a'.repeat(26)]: signal(other.nodeId, peer.nodeId),
        ['n' + 'b'.repeat(26)]: signal('n' + 'b'.repeat(26), other.nodeId),
        ['n' + 'c'.repeat(26)]: signal('n' + 'c'.repeat(26), peer.nodeId, { ct: 'c'.repeat(MAX_SIGNAL_CHARS) }),
        ['n' + 'd'.repeat(26)]: signal('n' + 'd'.repeat(26), peer.nodeId, { ts: T - SIGNAL_FRESH_MS - 1 }),
      })).toEqual({ refused: 4, kept: [other.nodeId] });
    });

    it('shared: a sealed list from the key it is filed under, however old, never dated ahead', () => {
      const parent = `meshdeck/v1/shared/${'q'.repeat(26)}`;
      const list = (from: string, at = T) => ({ from, at, iv: 'i'.repeat(16), box: 'b'.repeat(500), sig });
      expect(screenChildren(parent, {
        [peer.nodeId]: list(peer.nodeId, T - 365 * 24 * 3_600_000),
        [other.nodeId]: list(other.nodeId, T + RECORD_AHEAD_MS + 1),
        [junk]: { from: junk, at: T, box: 1 },
      })).toEqual({ refused: 2, kept: [peer.nodeId] });
    });

    it(`caps every parent at ${LINKS_PER_MESSAGE} links a message, and drops its links older than its children stay fresh`, () => {
      const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
      const keys = Array.from({ length: LINKS_PER_MESSAGE + 10 }, (_, i) => 'n' + [...i.toString(32).padStart(26, '0')].map((d) => BASE32[parseInt(d, 32)]).join(''));
      const files = `${ROOM}/files`;
      const graph = { [files]: meta(files, Object.fromEntries(keys.map((key) => [key, link(`${files}/${key}`)])), (key) => (key === keys[0] ? T - FILE_LIST_FRESH_MS - 1 : T - keys.indexOf(key))) };
      newScreen().screen(graph, T);
      const kept = Object.keys(graph[files] as object).filter((k) => k !== '_');
      expect(kept).toHaveLength(LINKS_PER_MESSAGE);
      expect(kept).not.toContain(keys[0]);
    });
  });
});
