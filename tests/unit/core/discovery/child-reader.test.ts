/**
 * ChildReader over fake GUN chains on the fake clock: a parent (here the room's records) is watched
 * alone and its children are read newest link first, a few at a time, once per write of their link.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ChildReader, type ReaderChain } from '../../../../core/discovery/child-reader';
import { BACKLOG_FETCHES, CHECKS_PER_FETCH, FETCH_TIMEOUT_MS, FETCHES_IN_FLIGHT, FRESH_FETCHES, FRESH_LINK_MS, LINKS_HELD, NOT_FOUND_GRACE_MS } from '../../../../core/discovery/child-reading';
import { FILE_LIST_FRESH_MS, FILES_FAMILY, recordFamily, type ChildFamily } from '../../../../core/discovery/graph-families';
import { RECORD_STALE_MS, signRecord, type NodeRecord } from '../../../../core/discovery/rendezvous-record';
import { TimerGroup } from '../../../../core/lib/clock';
import { FakeClock } from '../../../support/fake-clock';
import { makeIdentity } from '../../../support/identities';

const PARENT = 'meshdeck/v1/default/nodes';
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const idOf = (i: number) => 'n' + [...i.toString(32).padStart(26, '0')].map((d) => BASE32[parseInt(d, 32)]).join('');

class FakeChain implements ReaderChain {
  listeners: ((data: unknown) => void)[] = [];
  offs = 0;
  on(callback: (data: unknown) => void): void {
    this.listeners.push(callback);
  }
  once(callback: (data: unknown) => void): void {
    this.listeners.push(callback);
  }
  off(): void {
    this.offs++;
    this.listeners = [];
  }
  emit(data: unknown): void {
    for (const listener of [...this.listeners]) listener(data);
  }
}

/** A GUN node as GUN hands it over: fields, and `_` with its soul and each field's state. */
const gunNode = (soul: string, fields: Record<string, unknown>, writtenAt: (key: string) => number) => ({
  _: { '#': soul, '>': Object.fromEntries(Object.keys(fields).map((key) => [key, writtenAt(key)])) },
  ...fields,
});

function setup(known: string[] = [], family: ChildFamily = recordFamily(), parentSoul = PARENT) {
  const clock = new FakeClock();
  const parent = new FakeChain();
  const children = new Map<string, FakeChain>();
  const fetched: string[] = [];
  const read: unknown[] = [];
  const graph: { parent: unknown } = { parent: null };
  /** Child souls dropped from GUN's graph after a verdict of no news. */
  const forgotten: string[] = [];
  /** The consumer's verdict on each child handed on (true: genuine). */
  const judge = { genuine: (_data: unknown): boolean => true };
  const reader = new ChildReader({
    family,
    parentSoul,
    parent,
    chainOf: (soul) => {
      fetched.push(soul);
      const chain = new FakeChain();
      children.set(soul, chain);
      return chain;
    },
    timers: new TimerGroup(clock),
    now: () => clock.now(),
    monotonic: () => clock.monotonic(),
    knows: (nodeId) => known.includes(nodeId),
    onChild: (_key, data) => {
      read.push(data);
      return Promise.resolve(judge.genuine(data));
    },
    forgetChild: (soul) => forgotten.push(soul),
    // GUN's graph node of the parent: here the last one the test handed over.
    forgetLink: (key) => {
      const held = graph.parent as (Record<string, unknown> & { _: { '>': Record<string, unknown> } }) | null;
      if (!held) return;
      delete held[key];
      delete held._['>'][key];
    },
  });
  reader.start();
  /** The parent as GUN holds it: a link per key, each written at its time. */
  const links = (written: Record<string, number>) =>
    parent.emit(gunNode(parentSoul, Object.fromEntries(Object.keys(written).map((key) => [key, { '#': `${parentSoul}/${key}` }])), (key) => written[key]!));
  const answer = (record: NodeRecord, writtenAt: number) => children.get(`${parentSoul}/${record.id}`)!.emit(gunNode(`${parentSoul}/${record.id}`, { ...record }, () => writtenAt));
  return { clock, reader, links, answer, fetched, read, children, graph, judge, forgotten };
}

describe('ChildReader', () => {
  let record: NodeRecord;
  beforeAll(async () => {
    const { identity } = await makeIdentity();
    record = await signRecord(identity, { signal: ['http://127.0.0.1:9000/peerjs'], routing: true, neighbors: [] }, Date.UTC(2025, 0, 1));
  });

  it(`reads the most recently written links first, ${FETCHES_IN_FLIGHT} at a time`, () => {
    const { clock, links, fetched } = setup();
    const now = clock.now();
    const written = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [idOf(i), now - 1000 + i]));
    links(written);
    expect(fetched).toHaveLength(FETCHES_IN_FLIGHT);
    const newest = Object.keys(written).sort((a, b) => written[b]! - written[a]!).slice(0, FETCHES_IN_FLIGHT);
    expect(fetched).toEqual(newest.map((key) => `${PARENT}/${key}`));
  });

  it('reads a known node\'s rewritten link before any stranger\'s, however fresh (a trickle of junk cannot starve known peers)', () => {
    const friend = idOf(999);
    const { clock, links, fetched } = setup([friend]);
    const now = clock.now();
    links({ ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [idOf(i), now - i])), [friend]: now - 50_000 });
    expect(fetched[0]).toBe(`${PARENT}/${friend}`);
  });

  it('reads no link dated further ahead than a record may be', () => {
    const { clock, links, fetched } = setup();
    links({ [idOf(1)]: clock.now() + 3 * 60_000 });
    expect(fetched).toEqual([]);
  });

  it(`reads a link written now before a burst dated ahead: those wait with the backlog, ranked as if written when heard`, () => {
    const { clock, links, fetched } = setup();
    const now = clock.now();
    const ahead = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [idOf(i + 1), now + 60_000 + i]));
    links({ ...ahead, [record.id]: now });
    // Before: dated ahead, each outranked the newcomer, and stayed "fresh" for up to 2 minutes.
    expect(fetched[0]).toBe(`${PARENT}/${record.id}`);
    expect(fetched).toHaveLength(FETCHES_IN_FLIGHT);
  });

  it('reads a child once per write of its link, and never a link older than a fresh record', async () => {
    const { clock, links, answer, fetched, read } = setup();
    const at = clock.now();
    links({ [record.id]: at, [idOf(1)]: at - RECORD_STALE_MS - 1 });
    expect(fetched).toEqual([`${PARENT}/${record.id}`]);
    answer(record, at);
    expect(read).toHaveLength(1);
    // The parent sent again, same write: nothing read.
    links({ [record.id]: at });
    expect(fetched).toHaveLength(1);
    // The node announced again: its link was rewritten, so the child is read again.
    await clock.advance(15_000);
    links({ [record.id]: clock.now() });
    expect(fetched).toHaveLength(2);
  });

  it('takes only a whole record as new as its link: an older copy or a chunk is waited past', () => {
    const { clock, links, answer, read, children } = setup();
    const at = clock.now();
    links({ [record.id]: at });
    answer(record, at - 15_000);
    const soul = `${PARENT}/${record.id}`;
    children.get(soul)!.emit(gunNode(soul, { id: record.id, ts: record.ts }, () => at));
    expect(read).toEqual([]);
    answer(record, at);
    expect(read).toHaveLength(1);
  });

  it("takes no copy that mixes two writes (a newer write's first chunk beside an older write's other fields), fetched or watched", async () => {
    // GUN merges what it hears field by field, and a relay passes a write on in chunks of 9 fields.
    const mixed = (soul: string, older: number, newer: number) => gunNode(soul, { ...record }, (field) => (field === 'cert' ? newer : older));
    const fetching = setup();
    const at = fetching.clock.now();
    fetching.links({ [record.id]: at });
    const soul = `${PARENT}/${record.id}`;
    fetching.children.get(soul)!.emit(mixed(soul, at - 15_000, at));
    expect(fetching.read).toEqual([]);
    fetching.answer(record, at);
    expect(fetching.read).toHaveLength(1);

    const watching = setup([record.id]);
    watching.links({ [record.id]: at });
    const watch = watching.children.get(soul)!;
    watch.emit(gunNode(soul, { ...record }, () => at - 15_000));
    watch.emit(mixed(soul, at - 15_000, at));
    // Then the rest of that write: taken once whole, though its newest field state was seen before.
    watch.emit(gunNode(soul, { ...record }, () => at));
    expect(watching.read).toHaveLength(2);
  });

  it(`frees a slot when an answer does not come in time, or ${NOT_FOUND_GRACE_MS} ms after the screen refused one, and reads that link once more last`, async () => {
    const { clock, reader, links, fetched, children } = setup();
    const now = clock.now();
    links(Object.fromEntries(Array.from({ length: FETCHES_IN_FLIGHT + 2 }, (_, i) => [idOf(i), now - i])));
    expect(fetched).toHaveLength(FETCHES_IN_FLIGHT);
    const first = fetched[0]!;
    reader.refused(first);
    await clock.advance(NOT_FOUND_GRACE_MS);
    expect(fetched).toHaveLength(FETCHES_IN_FLIGHT + 1);
    expect(children.get(first)!.offs).toBe(1);
    await clock.advance(FETCH_TIMEOUT_MS);
    expect(fetched.slice(FETCHES_IN_FLIGHT + 1)).toEqual([`${PARENT}/${idOf(FETCHES_IN_FLIGHT + 1)}`, first]);
  });

  it('takes the relay\'s answer after junk answered first: another client of a stock relay answers the reads it passes on', async () => {
    const { clock, reader, links, answer, read } = setup();
    const at = clock.now();
    links({ [record.id]: at });
    reader.refused(`${PARENT}/${record.id}`);
    await clock.advance(10);
    answer(record, at);
    expect(read).toHaveLength(1);
  });

  it('reads on past a well-formed answer its consumer found forged, and takes the genuine one that follows', async () => {
    // Through a stock relay another client answers the reads it passes on: a forged child, well formed
    // and as new as its link, once ended the fetch, and the genuine child was not read until its next write.
    const { clock, reader, links, children, read, judge, forgotten } = setup();
    const at = clock.now();
    const soul = `${PARENT}/${record.id}`;
    const forged = { ...record, sig: record.sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) };
    judge.genuine = (data) => (data as { sig: string }).sig === record.sig;
    links({ [record.id]: at });
    children.get(soul)!.emit(gunNode(soul, forged, () => at));
    await clock.advance(10);
    expect(reader.fetches(soul)).toBe(true);
    // Dropped from GUN's graph, so that a genuine child with older states than the forgery's can merge.
    expect(forgotten).toEqual([soul]);
    children.get(soul)!.emit(gunNode(soul, { ...record }, () => at));
    await clock.advance(0);
    expect(read.map((data) => (data as { sig: string }).sig)).toEqual([forged.sig, record.sig]);
    expect(reader.fetches(soul)).toBe(false);
  });

  it('hands its consumer a copy: a later chunk GUN merges into the object it handed over changes nothing already handed on', async () => {
    const { clock, links, children, read } = setup();
    const at = clock.now();
    const soul = `${PARENT}/${record.id}`;
    links({ [record.id]: at });
    const live = gunNode(soul, { ...record }, () => at) as Record<string, unknown>;
    children.get(soul)!.emit(live);
    live.signal = JSON.stringify(['http://127.0.0.1:9/evil']);
    expect((read[0] as { signal: string }).signal).toBe(record.signal);
  });

  it('hands the same child on once per fetch, however often GUN delivers it while its verdict is awaited', async () => {
    const { clock, links, children, read } = setup();
    const at = clock.now();
    const soul = `${PARENT}/${record.id}`;
    links({ [record.id]: at });
    for (let i = 0; i < 3; i++) children.get(soul)!.emit(gunNode(soul, { ...record }, () => at));
    await clock.advance(0);
    expect(read).toHaveLength(1);
  });

  it(`hands one fetch's answers on for a verdict ${CHECKS_PER_FETCH} times at most, and ends it ${NOT_FOUND_GRACE_MS} ms after a forged one`, async () => {
    const { clock, reader, links, children, read, judge, fetched } = setup();
    const at = clock.now();
    const soul = `${PARENT}/${record.id}`;
    judge.genuine = () => false;
    links({ [record.id]: at });
    const first = children.get(soul)!;
    for (let i = 0; i < 3 * CHECKS_PER_FETCH; i++) first.emit(gunNode(soul, { ...record, ts: record.ts + i }, () => at));
    await clock.advance(0);
    expect(read).toHaveLength(CHECKS_PER_FETCH);
    expect(reader.fetches(soul)).toBe(true);
    await clock.advance(NOT_FOUND_GRACE_MS);
    // Ended, and its link put back once, as after an answer the screen refused.
    expect(first.offs).toBe(1);
    expect(fetched).toEqual([soul, soul]);
  });

  it(`frees a slot ${NOT_FOUND_GRACE_MS} ms after every relay said it holds no such child, not after ${FETCH_TIMEOUT_MS} ms`, async () => {
    const { clock, reader, links, fetched } = setup();
    const now = clock.now();
    links(Object.fromEntries(Array.from({ length: FETCHES_IN_FLIGHT + 1 }, (_, i) => [idOf(i), now - i])));
    expect(reader.fetches(fetched[0]!)).toBe(true);
    reader.notFound(fetched[0]!);
    // A federated relay's answer may still come: the slot is held a little longer.
    await clock.advance(NOT_FOUND_GRACE_MS - 1);
    expect(fetched).toHaveLength(FETCHES_IN_FLIGHT);
    await clock.advance(1);
    expect(fetched).toHaveLength(FETCHES_IN_FLIGHT + 1);
    expect(reader.fetches(`${PARENT}/${idOf(0)}`)).toBe(false);
    // A soul not being fetched: nothing happens.
    reader.notFound(`${PARENT}/${idOf(0)}`);
    expect(fetched).toHaveLength(FETCHES_IN_FLIGHT + 1);
    // Put back once, behind every link not read yet: read again when the slots have nothing newer.
    for (let i = 1; i <= FETCHES_IN_FLIGHT; i++) reader.refused(`${PARENT}/${idOf(i)}`);
    await clock.advance(NOT_FOUND_GRACE_MS);
    expect(fetched.filter((soul) => soul === `${PARENT}/${idOf(0)}`)).toHaveLength(2);
    reader.notFound(`${PARENT}/${idOf(0)}`);
    await clock.advance(NOT_FOUND_GRACE_MS);
    await clock.advance(FETCH_TIMEOUT_MS);
    expect(fetched.filter((soul) => soul === `${PARENT}/${idOf(0)}`)).toHaveLength(2);
  });

  it('an answer of nothing only ever ends a fetch sooner: sent again, it cannot hold a slot past its timeout', async () => {
    const { clock, reader, links, fetched } = setup();
    links({ [idOf(0)]: clock.now(), [idOf(1)]: clock.now() - 1 });
    expect(fetched).toHaveLength(2);
    for (let t = 0; t < FETCH_TIMEOUT_MS; t += NOT_FOUND_GRACE_MS / 2) {
      reader.notFound(fetched[0]!);
      await clock.advance(NOT_FOUND_GRACE_MS / 2);
    }
    expect(reader.fetches(fetched[0]!)).toBe(false);
  });

  it('stop() ends every read and holds nothing', () => {
    const { clock, reader, links, children } = setup();
    links({ [record.id]: clock.now() });
    reader.stop();
    expect([...children.values()].every((chain) => chain.offs === 1 && chain.listeners.length === 0)).toBe(true);
  });
  it('reads any family by its rules: a file list whole and filed under its writer, no link older than a list stays fresh', async () => {
    const files = 'meshdeck/v1/default/files';
    const { clock, links, read, children, fetched } = setup([], FILES_FAMILY, files);
    const at = clock.now();
    const writer = idOf(7);
    const old = idOf(8);
    const list = { id: writer, list: '[]', ts: at, sig: 'x'.repeat(86) };
    links({ [writer]: at, [old]: at - FILE_LIST_FRESH_MS - 1 });
    expect(fetched).toEqual([`${files}/${writer}`]);
    const child = children.get(`${files}/${writer}`)!;
    // Filed under another ID, or with a field no list has: waited past.
    child.emit(gunNode(`${files}/${writer}`, { ...list, id: idOf(9) }, () => at));
    child.emit(gunNode(`${files}/${writer}`, { ...list, extra: 1 }, () => at));
    expect(read).toEqual([]);
    child.emit(gunNode(`${files}/${writer}`, list, () => at));
    expect(read).toHaveLength(1);
  });
  it('watches known writers at their own souls, outside the fetch slots: links forged under their IDs hold none', async () => {
    const { identity } = await makeIdentity();
    const friendRecord = await signRecord(identity, { signal: ['http://127.0.0.1:9000/peerjs'], routing: true, neighbors: [] }, Date.UTC(2025, 0, 1));
    const known = [friendRecord.id, ...Array.from({ length: 7 }, (_, i) => idOf(500 + i))];
    const { clock, links, fetched, children, read } = setup(known);
    const now = clock.now();
    const strangers = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [idOf(i), now - i]));
    links({ ...Object.fromEntries(known.map((id) => [id, now])), ...strangers });
    // Every known writer watched, and still FETCHES_IN_FLIGHT strangers being read.
    expect(fetched.filter((soul) => known.some((id) => soul.endsWith(id)))).toHaveLength(known.length);
    expect(fetched.filter((soul) => !known.some((id) => soul.endsWith(id)))).toHaveLength(FETCHES_IN_FLIGHT);
    // Forged rewrites of the known links: no new read, no slot.
    await clock.advance(1000);
    links({ ...Object.fromEntries(known.map((id) => [id, clock.now()])) });
    expect(fetched).toHaveLength(known.length + FETCHES_IN_FLIGHT);
    // The friend's own writes come as they are made, each once.
    const soul = `${PARENT}/${friendRecord.id}`;
    children.get(soul)!.emit(gunNode(soul, { ...friendRecord }, () => now));
    children.get(soul)!.emit(gunNode(soul, { ...friendRecord }, () => now));
    children.get(soul)!.emit(gunNode(soul, { ...friendRecord, ts: friendRecord.ts + 15_000 }, () => now + 15_000));
    expect(read).toHaveLength(2);
  });

  it('reads a child at its own soul only, and prunes stale links from the parent GUN holds', () => {
    const { clock, reader, fetched, graph } = setup();
    const now = clock.now();
    // The parent as GUN holds it in its graph: the reader trims it there.
    const onParent = (node: unknown) => {
      graph.parent = node;
      (reader as unknown as { onParent(node: unknown): void }).onParent(structuredClone(node));
    };
    const parent = gunNode(PARENT, { [idOf(1)]: { '#': 'elsewhere' }, [idOf(2)]: { '#': `${PARENT}/${idOf(2)}` }, [idOf(3)]: { '#': `${PARENT}/${idOf(3)}` } }, (key) => (key === idOf(3) ? now - RECORD_STALE_MS - 1 : now));
    onParent(parent);
    expect(fetched).toEqual([`${PARENT}/${idOf(2)}`]);
    expect(Object.keys(parent)).not.toContain(idOf(3));
    expect(Object.keys(parent._['>'])).not.toContain(idOf(3));
    // GUN's parent is held to LINKS_HELD live links, the most recently written.
    const ids = Array.from({ length: LINKS_HELD + 5 }, (_, i) => idOf(i));
    const many = gunNode(PARENT, Object.fromEntries(ids.map((id) => [id, { '#': `${PARENT}/${id}` }])), (key) => now - ids.indexOf(key));
    onParent(many);
    expect(Object.keys(many).filter((k) => k !== '_').sort()).toEqual(ids.slice(0, LINKS_HELD).sort());
  });
  it('a writer watched while its fetch runs: the fetch ends first, and its end never switches the watch off', async () => {
    const known: string[] = [];
    const { clock, links, children, answer } = setup(known);
    const at = clock.now();
    links({ [record.id]: at });
    const fetching = children.get(`${PARENT}/${record.id}`)!;
    known.push(record.id);
    links({ [record.id]: at + 1 });
    const watching = children.get(`${PARENT}/${record.id}`)!;
    expect(watching).not.toBe(fetching);
    expect(fetching.offs).toBe(1);
    await clock.advance(FETCH_TIMEOUT_MS * 2);
    expect(watching.offs).toBe(0);
    expect(watching.listeners).toHaveLength(1);
    answer(record, at + 1);
  });
  /** Advances the clock by `ms` in steps of 50, the relay answering every fetch at once with nothing the screen lets through. */
  async function answeringNothing(clock: FakeClock, reader: ChildReader, fetched: string[], ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 50) {
      for (const soul of fetched) reader.refused(soul);
      await clock.advance(50);
    }
  }

  it(`reads strangers' older links at ${BACKLOG_FETCHES.perSecond} a second once the saved-up ${BACKLOG_FETCHES.burst} are spent, and a link written now at once`, async () => {
    const { clock, links, fetched, reader } = setup();
    const now = clock.now();
    // A storm that ended: 1,000 links, all written more than FRESH_LINK_MS ago.
    const backlog = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [idOf(i), now - FRESH_LINK_MS - 1000 + i]));
    links(backlog);
    await answeringNothing(clock, reader, fetched, 10_000);
    // Every fetch was answered at once, so the slots were free: the budget decided.
    expect(fetched.length).toBeGreaterThanOrEqual(BACKLOG_FETCHES.burst + 9 * BACKLOG_FETCHES.perSecond);
    expect(fetched.length).toBeLessThanOrEqual(BACKLOG_FETCHES.burst + 10 * BACKLOG_FETCHES.perSecond + 1);
    // A node announcing now is read within one fresh fetch's pace, not behind the backlog.
    const newcomer = idOf(5000);
    links({ ...backlog, [newcomer]: clock.now() });
    await answeringNothing(clock, reader, fetched, Math.ceil(1000 / FRESH_FETCHES.perSecond) + 50);
    expect(fetched).toContain(`${PARENT}/${newcomer}`);
    reader.stop();
    const atStop = fetched.length;
    await clock.advance(10_000);
    expect(fetched).toHaveLength(atStop);
  });

  it('keeps its pace when the wall clock steps: the budgets run on the monotonic clock', async () => {
    const { clock, links, fetched, reader } = setup();
    const now = clock.now();
    const backlog = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [idOf(i), now - FRESH_LINK_MS - 1000 + i]));
    links(backlog);
    // The saved-up budget spent.
    await answeringNothing(clock, reader, fetched, 15_000);
    const before = fetched.length;
    // An hour ahead (a clock set right, a laptop waking): on the wall clock, every budget was full again.
    clock.stepWall(3_600_000);
    await answeringNothing(clock, reader, fetched, 1000);
    expect(fetched.length - before).toBeLessThanOrEqual(BACKLOG_FETCHES.perSecond + 1);
  });

  it(`a stream of fresh links below ${FRESH_FETCHES.perSecond} a second is read whole: a newcomer among it is not held back`, async () => {
    const { clock, links, fetched, reader } = setup();
    const written: Record<string, number> = {};
    const newcomer = idOf(9999);
    for (let tick = 0; tick < 200; tick++) {
      // One junk link every 100 ms (10 a second) for 20 s, the newcomer's after 12 s of it.
      written[idOf(tick)] = clock.now();
      if (tick === 120) written[newcomer] = clock.now() - 1;
      links({ ...written });
      await answeringNothing(clock, reader, fetched, 100);
    }
    expect(fetched).toContain(`${PARENT}/${newcomer}`);
    expect(new Set(fetched).size).toBe(201);
  });

  it('forged rewrites of known writers\' links, unanswered, cannot starve a stranger: known links never take the strangers\' last slots', async () => {
    const known = Array.from({ length: 100 }, (_, i) => idOf(i));
    const { clock, links, fetched, reader } = setup(known);
    const newcomer = idOf(5000);
    // The first 64 known writers are watched at their own souls; the rest are read through the slots.
    const written: Record<string, number> = Object.fromEntries(known.slice(0, 64).map((id) => [id, clock.now() - 10_000]));
    links({ ...written });
    for (let tick = 0; tick < 120; tick++) {
      // Eight forged rewrites a second of known, unwatched IDs; nobody answers them.
      written[known[64 + (tick % 36)]!] = clock.now();
      if (tick === 40) written[newcomer] = clock.now() - 1;
      links({ ...written });
      await clock.advance(125);
    }
    expect(fetched).toContain(`${PARENT}/${newcomer}`);
    reader.stop();
  });
});

